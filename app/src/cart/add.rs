//! The product page's buy form: the option choices (given by the page), the quantity and
//! "Add to cart", in one form. The server resolves the variant from the chosen options, so
//! the cart gets what the form shows as chosen, with or without JavaScript.

use crate::cart::actions::use_cart_actions;
use crate::cart::model::MAX_QUANTITY;
use leptos::prelude::*;

/// `children` are the option groups (radio buttons named `o0`, `o1`, `o2`). Without
/// JavaScript, "Show price and availability" reloads `page` with the choice (a GET of the
/// same form); once `hydrated`, the page updates in place and that button hides.
/// `buyable` says whether the combination shown as chosen can be bought.
#[component]
pub fn BuyForm(
    product_id: i64,
    page: String,
    #[prop(into)] buyable: Signal<bool>,
    hydrated: RwSignal<bool>,
    children: Children,
) -> impl IntoView {
    let Some(actions) = use_cart_actions() else {
        return ().into_any();
    };
    let add = actions.add_choice;
    let options_error = move || {
        add.value().get().and_then(|result| result.err()).map(|error| {
            let message = error.field_message("options").unwrap_or_else(|| error.to_string());
            view! { <p class="notice error" role="alert" id="options-error" data-testid="options-error">{message}</p> }
        })
    };
    let added = move || {
        add.value().get().and_then(|result| result.ok()).map(|cart| {
            view! {
                <p class="notice success" role="status" data-testid="added">
                    {format!("Added. Your cart holds {} item{}. ", cart.item_count, if cart.item_count == 1 { "" } else { "s" })}
                    <a href="/cart">"View cart"</a>
                </p>
            }
        })
    };
    view! {
        <ActionForm action=add attr:class="variant-picker buy-form" attr:data-hydrated=move || hydrated.get().to_string()>
            {children()}
            // After the options: the no-JavaScript "Show price" address starts with them (`?o0=…`).
            <input type="hidden" name="product_id" value=product_id.to_string() />
            {options_error}
            // Without JavaScript the shopper can see the price of a choice before adding it.
            <button type="submit" class="secondary" formmethod="get" formaction=page hidden=move || hydrated.get()>
                "Show price and availability"
            </button>
            <div class="buy-row">
                <label for="add-quantity">"Quantity"</label>
                <input id="add-quantity" type="number" name="quantity" value="1" min="1" max=MAX_QUANTITY inputmode="numeric" />
                <button type="submit" disabled=move || !buyable.get() || add.pending().get()>
                    {move || if add.pending().get() { "Adding…" } else { "Add to cart" }}
                </button>
            </div>
        </ActionForm>
        {added}
    }
    .into_any()
}
