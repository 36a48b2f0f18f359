//! The add-to-cart form on a product page.

use crate::cart::actions::use_cart_actions;
use crate::cart::model::MAX_QUANTITY;
use leptos::prelude::*;

/// Adds the chosen variant; `variant` is the selected variant id and its stock (None when
/// the chosen combination does not exist).
#[component]
pub fn AddToCart(#[prop(into)] variant: Signal<Option<(i64, i32)>>) -> impl IntoView {
    let Some(actions) = use_cart_actions() else {
        return ().into_any();
    };
    let add = actions.add;
    let variant_id = move || {
        variant
            .get()
            .map(|(id, _)| id.to_string())
            .unwrap_or_default()
    };
    let buyable = move || variant.get().is_some_and(|(_, stock)| stock > 0);
    let outcome = move || {
        add.value().get().map(|result| match result {
            Ok(cart) => view! {
                <p class="notice success" role="status" data-testid="added">
                    {format!("Added. Your cart holds {} item{}. ", cart.item_count, if cart.item_count == 1 { "" } else { "s" })}
                    <a href="/cart">"View cart"</a>
                </p>
            }
            .into_any(),
            Err(error) => view! { <p class="notice error" role="alert">{error.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <ActionForm action=add attr:class="add-to-cart">
            <input type="hidden" name="variant_id" value=variant_id prop:value=variant_id />
            <label for="add-quantity">"Quantity"</label>
            <input id="add-quantity" type="number" name="quantity" value="1" min="1" max=MAX_QUANTITY inputmode="numeric" />
            <button type="submit" disabled=move || !buyable() || add.pending().get()>
                {move || if add.pending().get() { "Adding…" } else { "Add to cart" }}
            </button>
        </ActionForm>
        {outcome}
    }
    .into_any()
}
