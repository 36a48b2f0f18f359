//! The discount code box of the cart and the checkout: enter a code, see why it does not
//! apply, remove it. Plain forms, so it works without JavaScript.

use crate::cart::actions::CartActions;
use crate::promotions::model::DiscountLine;
use leptos::prelude::*;

#[component]
pub fn DiscountCodeBox(
    actions: CartActions,
    code: Option<String>,
    problem: Option<String>,
) -> impl IntoView {
    let apply = actions.apply_code;
    let code_error = move || {
        apply
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.field_message("code").unwrap_or_else(|| error.to_string()))
            .map(|message| view! { <p class="field-error" id="error-code" role="alert" data-testid="code-error">{message}</p> })
    };
    match code {
        Some(code) => view! {
            <div class="discount-code" data-testid="discount-code">
                <p class="discount-code-applied">"Code " <strong>{code.clone()}</strong>
                    {if problem.is_none() { " applied" } else { " entered" }}</p>
                {problem.map(|p| view! { <p class="notice" role="status" data-testid="code-problem">{p}</p> })}
                <ActionForm action=actions.remove_code attr:class="inline-form">
                    <button type="submit" class="link-button" aria-label=format!("Remove the code {code}")>"Remove code"</button>
                </ActionForm>
            </div>
        }
        .into_any(),
        None => view! {
            <ActionForm action=apply attr:class="discount-code discount-code-form">
                <label for="discount-code">"Discount code"</label>
                <div class="discount-code-row">
                    <input id="discount-code" name="code" maxlength="40" autocomplete="off" autocapitalize="characters"
                        spellcheck="false" aria-describedby="error-code" required />
                    <button type="submit" class="secondary">"Apply"</button>
                </div>
                {code_error}
            </ActionForm>
        }
        .into_any(),
    }
}

/// Each discount by name, as `dt`/`dd` pairs of a totals list: "name (code)", "−amount".
#[component]
pub fn DiscountRows(discounts: Vec<DiscountLine>) -> impl IntoView {
    discounts
        .into_iter()
        .map(|discount| {
            let name = discount.label();
            let amount = if discount.amount_minor > 0 {
                format!("−{}", discount.amount)
            } else {
                discount.amount.clone()
            };
            view! {
                <dt class="discount" data-testid="discount-name">{name}</dt>
                <dd class="discount" data-testid="discount-amount">{amount}</dd>
            }
        })
        .collect_view()
}
