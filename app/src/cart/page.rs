//! `/cart`: the lines with today's prices; change a quantity or remove a line with plain
//! forms that work without JavaScript, and go on to the checkout.

use crate::cart::actions::use_cart_actions;
use crate::cart::api::get_cart;
use crate::cart::code::{DiscountCodeBox, DiscountRows};
use crate::cart::model::{CartLineView, MAX_QUANTITY};
use crate::components::meta::{site_info, PageMeta};
use crate::components::notices::ErrorPanel;
use leptos::prelude::*;

#[component]
pub fn CartPage() -> impl IntoView {
    let actions = use_cart_actions();
    let cart = Resource::new(move || actions.map(|a| a.changes()), |_| get_cart());
    let error = move || {
        actions
            .and_then(|a| a.line_error())
            .map(|e| view! { <p class="notice error" role="alert">{e.to_string()}</p> })
    };
    let content = move || {
        Suspend::new(async move {
            let site = site_info().await;
            let cart = match cart.await {
                Ok(cart) => cart,
                Err(error) => return view! { <ErrorPanel error /> }.into_any(),
            };
            let meta = view! { <PageMeta site title="Your cart" description="The items in your cart." canonical_path="/cart" /> };
            if cart.lines.is_empty() {
                return view! {
                    {meta}
                    <h1>"Your cart"</h1>
                    <p class="empty" data-testid="cart-empty">"Your cart is empty."</p>
                    <p><a class="button" href="/">"Continue shopping"</a></p>
                }
                .into_any();
            }
            let blocked = cart.lines.iter().any(|l| l.quantity > l.available);
            view! {
                {meta}
                <h1>"Your cart"</h1>
                <ul class="cart-lines">
                    {cart.lines.into_iter().map(|line| view! { <CartLineRow line /> }).collect_view()}
                </ul>
                <div class="cart-summary">
                    <dl class="totals cart-totals">
                        <dt>"Subtotal"</dt><dd data-testid="cart-subtotal">{cart.subtotal.to_string()}</dd>
                        <DiscountRows discounts=cart.discounts.clone() />
                        {(!cart.discounts.is_empty()).then(|| view! {
                            <dt class="total">"After discounts"</dt><dd class="total" data-testid="cart-discounted">{cart.discounted_subtotal.to_string()}</dd>
                        })}
                    </dl>
                    {actions.map(|actions| view! { <DiscountCodeBox actions code=cart.code.clone() problem=cart.code_problem.clone() /> })}
                    <p class="fine-print">"Shipping and tax are worked out at checkout."</p>
                    {if blocked {
                        view! { <p class="notice" role="status">"Lower the quantities marked above to check out."</p> }.into_any()
                    } else {
                        view! { <a class="button" href="/checkout" rel="external">"Check out"</a> }.into_any()
                    }}
                </div>
            }
            .into_any()
        })
    };
    view! {
        {error}
        <Transition fallback=|| view! { <p class="loading">"Loading your cart…"</p> }>{content}</Transition>
    }
}

#[component]
fn CartLineRow(line: CartLineView) -> impl IntoView {
    let Some(actions) = use_cart_actions() else {
        return ().into_any();
    };
    let href = format!("/product/{}", line.product_slug);
    let options = line.option_values.join(" · ");
    let quantity_id = format!("quantity-{}", line.variant_id);
    let short = line.quantity > line.available;
    view! {
        <li class="cart-line" data-testid="cart-line">
            <div class="cart-line-info">
                <a href=href class="cart-line-name">{line.product_name.clone()}</a>
                {(!options.is_empty()).then(|| view! { <span class="cart-line-options">{options}</span> })}
                <span class="sku">"SKU " {line.sku.clone()}</span>
                <span>{line.unit_price.to_string()} " each"</span>
                {short.then(|| view! {
                    <span class="availability low-stock">
                        {if line.available == 0 { "Sold out".to_owned() } else { format!("Only {} left", line.available) }}
                    </span>
                })}
            </div>
            <ActionForm action=actions.update attr:class="cart-quantity-form">
                <input type="hidden" name="variant_id" value=line.variant_id />
                <label for=quantity_id.clone()>"Quantity"</label>
                <input id=quantity_id type="number" name="quantity" min="1" max=MAX_QUANTITY value=line.quantity inputmode="numeric" />
                <button type="submit" class="secondary">"Update"</button>
            </ActionForm>
            <ActionForm action=actions.remove attr:class="cart-remove-form">
                <input type="hidden" name="variant_id" value=line.variant_id />
                <button type="submit" class="link-button" aria-label=format!("Remove {}", line.product_name)>"Remove"</button>
            </ActionForm>
            <span class="cart-line-total">{line.line_total.to_string()}</span>
        </li>
    }
    .into_any()
}
