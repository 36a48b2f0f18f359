//! `/checkout`, `/order/{number}` and `/order-status`.

use crate::accounts::model::SavedCard;
use crate::cart::actions::use_cart_actions;
use crate::cart::code::{DiscountCodeBox, DiscountRows};
use crate::checkout::api::{
    checkout_shipping_options, get_checkout, get_order_receipt, LookUpOrder, PlaceCheckoutOrder,
};
use crate::checkout::model::CheckoutPage as CheckoutData;
use crate::components::meta::{page_meta, site_info, PageMeta};
use crate::components::notices::{action_error, ErrorPanel};
use crate::kernel::countries::COUNTRIES;
use crate::kernel::error::AppError;
use crate::orders::model::OrderReceipt;
use crate::payments::stripe::StripeBrowserSettings;
use crate::pricing::Totals;
use crate::promotions::model::DiscountLine;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::kernel::money::format_minor as money;

/// Subtotal, shipping, tax and total, as a definition list.
#[component]
fn TotalsList(totals: Totals, discounts: Vec<DiscountLine>, currency: String) -> impl IntoView {
    let tax_label = if totals.prices_include_tax {
        "Includes tax"
    } else {
        "Tax"
    };
    view! {
        <dl class="totals">
            <dt>"Subtotal"</dt><dd>{money(totals.subtotal_minor, &currency)}</dd>
            <DiscountRows discounts />
            <dt>"Shipping"</dt><dd>{if totals.shipping_minor == 0 { "Free".to_owned() } else { money(totals.shipping_minor, &currency) }}</dd>
            <dt>{tax_label}</dt><dd>{money(totals.tax_minor, &currency)}</dd>
            <dt class="total">"Total"</dt><dd class="total" data-testid="order-total">{money(totals.total_minor, &currency)}</dd>
        </dl>
    }
}

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let place = ServerAction::<PlaceCheckoutOrder>::new();
    // Entering or removing a discount code reprices the checkout.
    let code_changes = move || {
        use_cart_actions().map(|a| a.apply_code.version().get() + a.remove_code.version().get())
    };
    let checkout = Resource::new(code_changes, |_| get_checkout());
    let content = move || {
        Suspend::new(async move {
            let site = site_info().await;
            let meta = view! { <PageMeta site title="Checkout" description="Enter your address and pay." canonical_path="/checkout" /> };
            match checkout.await {
                Ok(data) if data.lines.is_empty() => view! {
                    {meta}
                    <h1>"Checkout"</h1>
                    <p class="empty">"Your cart is empty."</p>
                    <p><a class="button" href="/">"Continue shopping"</a></p>
                }
                .into_any(),
                Ok(data) => view! { {meta} <CheckoutForm data place /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! { <Transition fallback=|| view! { <p class="loading">"Loading the checkout…"</p> }>{content}</Transition> }
}

#[component]
fn CheckoutForm(data: CheckoutData, place: ServerAction<PlaceCheckoutOrder>) -> impl IntoView {
    let currency = data.currency.clone();
    let first_method = data
        .shipping
        .quotes
        .first()
        .map(|q| q.method.code.clone())
        .unwrap_or_default();
    let method = RwSignal::new(first_method);
    // The methods offered where the order goes; another country asks the server again.
    let shipping = RwSignal::new(data.shipping.clone());
    let totals = move || {
        shipping.with(|options| {
            options
                .quotes
                .iter()
                .find(|q| q.method.code == method.get())
                .map(|q| (q.totals, q.discounts.clone()))
        })
    };
    let change_country = move |event: leptos::ev::Event| {
        let country = event_target_value(&event);
        leptos::task::spawn_local(async move {
            if let Ok(options) = checkout_shipping_options(country).await {
                let still_offered = options
                    .quotes
                    .iter()
                    .any(|q| q.method.code == method.get_untracked());
                if !still_offered {
                    method.set(
                        options
                            .quotes
                            .first()
                            .map(|q| q.method.code.clone())
                            .unwrap_or_default(),
                    );
                }
                shipping.set(options);
            }
        });
    };
    let error = move || {
        place.value().get().and_then(Result::err).map(|e| match e {
            // Stripe's script (stripe-checkout.js) sees this and shows the bank's check.
            AppError::PaymentNeedsConfirmation(ref secret) => view! {
                <p class="notice" role="status" data-testid="checkout-error" data-stripe-confirm=secret.clone()>{e.to_string()}</p>
            }
            .into_any(),
            e => view! { <p class="notice error" role="alert" data-testid="checkout-error">{e.to_string()}</p> }.into_any(),
        })
    };
    let summary_currency = currency.clone();
    // A logged-in customer's email and default address, ready to use or change.
    let is_guest = data.prefill.is_none();
    let known_email = data
        .prefill
        .as_ref()
        .map(|p| p.email.clone())
        .unwrap_or_default();
    let saved = data.prefill.as_ref().and_then(|p| p.address.clone());
    let saved_field = |field: fn(&crate::kernel::address::ShippingAddress) -> &String| {
        saved.as_ref().map(|a| field(a).clone()).unwrap_or_default()
    };
    let (saved_name, saved_line1, saved_line2, saved_city, saved_postal_code) = (
        saved_field(|a| &a.name),
        saved_field(|a| &a.line1),
        saved_field(|a| &a.line2),
        saved_field(|a| &a.city),
        saved_field(|a| &a.postal_code),
    );
    let saved_country = data.shipping.country.clone();
    // Marks the form once it is interactive in the browser: a press before then posts it
    // without JavaScript (which works too, differently), so tests wait for this.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    // A placed order empties the cart: refresh the header's count.
    let cart_actions = use_cart_actions();
    Effect::new(move |_| {
        if matches!(place.value().get(), Some(Ok(_))) {
            if let Some(actions) = cart_actions {
                actions.cart_changed();
            }
        }
    });
    view! {
        <h1>"Checkout"</h1>
        {is_guest.then(|| view! {
            <p class="fine-print">"Have an account? " <a href="/account/login?next=%2Fcheckout">"Log in"</a> " to use your saved address; your cart comes with you."</p>
        })}
        {error}
        <div class="checkout-layout">
            <ActionForm action=place attr:class="checkout-form" attr:data-hydrated=move || hydrated.get().to_string()>
                <input type="hidden" name="form[idempotency_key]" value=data.idempotency_key.clone() />
                <fieldset>
                    <legend>"Contact"</legend>
                    <label for="email">"Email"</label>
                    <input id="email" type="email" name="form[email]" autocomplete="email" required maxlength="254" value=known_email />
                </fieldset>
                <fieldset>
                    <legend>"Shipping address"</legend>
                    <label for="name">"Full name"</label>
                    <input id="name" type="text" name="form[name]" autocomplete="name" required maxlength="100" value=saved_name />
                    <label for="line1">"Address"</label>
                    <input id="line1" type="text" name="form[line1]" autocomplete="address-line1" required maxlength="200" value=saved_line1 />
                    <label for="line2">"Apartment, suite (optional)"</label>
                    <input id="line2" type="text" name="form[line2]" autocomplete="address-line2" maxlength="200" value=saved_line2 />
                    <label for="city">"City"</label>
                    <input id="city" type="text" name="form[city]" autocomplete="address-level2" required maxlength="100" value=saved_city />
                    <label for="postal_code">"Postal code"</label>
                    <input id="postal_code" type="text" name="form[postal_code]" autocomplete="postal-code" required maxlength="20" value=saved_postal_code />
                    <label for="country">"Country"</label>
                    <select id="country" name="form[country]" autocomplete="country" required on:change=change_country>
                        {COUNTRIES.iter().map(|c| view! { <option value=c.code selected=c.code == saved_country>{c.name}</option> }).collect_view()}
                    </select>
                </fieldset>
                <fieldset data-testid="shipping-methods">
                    <legend>"Shipping method"</legend>
                    {move || shipping.with(|options| {
                        let country = crate::kernel::countries::country(&options.country).map_or(options.country.clone(), |c| c.name.to_owned());
                        view! { <p class="fine-print">"To " {country} ". Changed the country? Its options show here (without JavaScript: when you place the order)."</p> }
                    })}
                    {move || shipping.with(|options| options.not_delivered.clone().map(|message| view! {
                        <p class="notice error" role="alert" data-testid="not-delivered">{message}</p>
                    }))}
                    {move || shipping.with(|options| {
                        let zones = options.quotes.iter().map(|q| q.method.zone_id).collect::<std::collections::BTreeSet<_>>().len();
                        options.quotes.iter().map(|q| {
                            let code = q.method.code.clone();
                            let id = format!("shipping-{code}");
                            let price = if q.totals.shipping_minor == 0 { "Free".to_owned() } else { money(q.totals.shipping_minor, &currency) };
                            let zone = (zones > 1).then(|| format!(" ({})", q.method.zone_name));
                            let chosen = code.clone();
                            let is_chosen = code.clone();
                            view! {
                                <div class="choice">
                                    <input type="radio" id=id.clone() name="form[shipping_method]" value=code checked=move || method.get() == is_chosen on:change=move |_| method.set(chosen.clone()) />
                                    <label for=id>{q.method.name.clone()} {zone} " — " {price}</label>
                                </div>
                            }
                        }).collect_view()
                    })}
                </fieldset>
                <PaymentFields card_method=data.card_method.clone() stripe=data.stripe.clone() saved_cards=data.saved_cards.clone() can_save_card=data.can_save_card />
                <button type="submit" class="place-order" disabled=move || place.pending().get()>
                    {move || if place.pending().get() { "Placing your order…" } else { "Place order" }}
                </button>
            </ActionForm>
            <aside class="checkout-summary" aria-label="Order summary">
                <h2>"Order summary"</h2>
                <ul class="summary-lines">
                    {data.lines.iter().map(|l| view! {
                        <li>
                            <span>{format!("{} × {}", l.quantity, l.product_name)}</span>
                            <span>{l.line_total.to_string()}</span>
                        </li>
                    }).collect_view()}
                </ul>
                {move || totals().map(|(t, discounts)| view! { <TotalsList totals=t discounts currency=summary_currency.clone() /> })}
                {cart_actions.map(|actions| view! { <DiscountCodeBox actions code=data.code.clone() problem=data.code_problem.clone().or(data.code_note.clone()) /> })}
            </aside>
        </div>
    }
}

/// The payment choices: a card (through Stripe, or the demo gateway) when one is offered,
/// and the manual method always.
#[component]
fn PaymentFields(
    card_method: Option<String>,
    stripe: Option<StripeBrowserSettings>,
    saved_cards: Vec<SavedCard>,
    can_save_card: bool,
) -> impl IntoView {
    let has_card = card_method.is_some();
    let has_saved = !saved_cards.is_empty();
    let saved_choices = has_saved.then(|| {
        view! {
            <div class="saved-cards" data-testid="saved-cards">
                {saved_cards.into_iter().enumerate().map(|(i, card)| {
                    let id = format!("saved-card-{}", card.id);
                    view! {
                        <div class="choice">
                            <input type="radio" id=id.clone() name="form[saved_card]" value=card.id.to_string() checked=i == 0 />
                            <label for=id>{format!("{} ending in {}", card.brand, card.last4)} <span class="fine-print">" · expires " {card.expires}</span></label>
                        </div>
                    }
                }).collect_view()}
                <div class="choice">
                    <input type="radio" id="saved-card-new" name="form[saved_card]" value="" />
                    <label for="saved-card-new">"A new card"</label>
                </div>
            </div>
        }
    });
    let save_choice = can_save_card.then(|| {
        view! {
            <div class="choice">
                <input type="checkbox" id="save-card" name="form[save_card]" value="on" />
                <label for="save-card">"Save this card for my next orders. Stripe keeps the card; this store keeps only its brand, last four digits and expiry. Remove it any time from your account."</label>
            </div>
        }
    });
    let needs_script = if has_saved {
        "Paying with a new card needs JavaScript. Turn it on, pay with a saved card, or pay by bank transfer or cash on delivery below."
    } else {
        "Card payment needs JavaScript. Turn it on, or pay by bank transfer or cash on delivery below."
    };
    let card_fields = match (card_method.as_deref(), stripe) {
        (Some("stripe"), Some(stripe)) => view! {
            <div class="card-fields">
                <input type="hidden" name="form[stripe_payment_method]" value="" />
                <input type="hidden" name="form[stripe_payment_intent]" value="" />
                {saved_choices}
                <div class="new-card">
                    <div id="stripe-card-element" class="stripe-card" data-publishable-key=stripe.publishable_key.clone()></div>
                    <p id="stripe-card-errors" class="field-error" role="alert"></p>
                    // Text only: with scripting on, a browser parses a noscript's content as
                    // text, and hydration must find exactly what the server rendered.
                    <noscript class="notice">{needs_script}</noscript>
                    {save_choice}
                </div>
                <p class="fine-print">"Your card details go straight to our payment provider, Stripe; this store never sees them."</p>
                <script src=stripe.script_url.clone()></script>
                <script src="/stripe-checkout.js" defer></script>
            </div>
        }
        .into_any(),
        (Some(_), _) => view! {
            <div class="card-fields">
                <label for="card_number">"Card number"</label>
                <input id="card_number" type="text" name="form[card_number]" inputmode="numeric" autocomplete="cc-number" maxlength="23" />
                <label for="card_expiry">"Expiry (MM/YY)"</label>
                <input id="card_expiry" type="text" name="form[card_expiry]" autocomplete="cc-exp" maxlength="7" placeholder="MM/YY" />
                <label for="card_cvc">"Security code"</label>
                <input id="card_cvc" type="text" name="form[card_cvc]" inputmode="numeric" autocomplete="cc-csc" maxlength="4" />
                <p class="fine-print">"Demo store: use 4242 4242 4242 4242, any future date and any three digits. 4000 0000 0000 0002 is declined."</p>
            </div>
        }
        .into_any(),
        (None, _) => ().into_any(),
    };
    view! {
        <fieldset>
            <legend>"Payment"</legend>
            {card_method.map(|method| view! {
                <div class="choice">
                    <input type="radio" id="pay-card" name="form[payment_method]" value=method checked />
                    <label for="pay-card">"Card"</label>
                </div>
            })}
            {card_fields}
            <div class="choice">
                <input type="radio" id="pay-manual" name="form[payment_method]" value="manual" checked=!has_card />
                <label for="pay-manual">"Bank transfer or cash on delivery (the order waits for payment)"</label>
            </div>
        </fieldset>
    }
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let number = Memo::new(move |_| params.read().get("number").unwrap_or_default());
    let receipt = Resource::new(move || number.get(), get_order_receipt);
    let content = move || {
        Suspend::new(async move {
            let site = site_info().await;
            match receipt.await {
                Ok(receipt) => {
                    let path = format!("/order/{}", receipt.number);
                    view! {
                        <PageMeta site title=format!("Order {}", receipt.number) description="Your order." canonical_path=path />
                        <ReceiptView receipt />
                    }
                    .into_any()
                }
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! { <Transition fallback=|| view! { <p class="loading">"Loading your order…"</p> }>{content}</Transition> }
}

#[component]
fn ReceiptView(receipt: OrderReceipt) -> impl IntoView {
    let currency = receipt.currency.clone();
    let address = receipt.address.clone();
    view! {
        <section class="receipt">
            <h1>"Thank you for your order"</h1>
            <p class="order-number">"Order number: " <strong data-testid="order-number">{receipt.number.clone()}</strong></p>
            <p>"Status: " <strong data-testid="order-status">{receipt.status_label.clone()}</strong> " · placed " {receipt.placed_at.clone()}</p>
            <p>"We sent a confirmation to " {receipt.email.clone()} ". Find this order again any time at "
               <a href="/order-status">"order status"</a> " with its number and your email."</p>
            <table class="receipt-lines">
                <caption class="visually-hidden">"Items"</caption>
                <thead><tr><th scope="col">"Item"</th><th scope="col">"Quantity"</th><th scope="col">"Price"</th><th scope="col">"Total"</th></tr></thead>
                <tbody>
                    {receipt.lines.iter().map(|l| view! {
                        <tr>
                            <td>{l.product_name.clone()} {(!l.option_values.is_empty()).then(|| format!(" ({})", l.option_values.join(", ")))}</td>
                            <td>{l.quantity}</td>
                            <td>{money(l.unit_price_minor, &currency)}</td>
                            <td>{money(l.line_total_minor, &currency)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <TotalsList totals=receipt.totals discounts=receipt.discounts.clone() currency=receipt.currency.clone() />
            <div class="receipt-details">
                <div>
                    <h2>"Shipping to"</h2>
                    <p>{address.name} <br /> {address.line1} <br />
                       {(!address.line2.is_empty()).then(|| view! { {address.line2.clone()} <br /> })}
                       {address.postal_code} " " {address.city} <br /> {address.country}</p>
                    <p>{receipt.shipping_method.clone()}</p>
                </div>
                <div>
                    <h2>"Payment"</h2>
                    <p>{receipt.payment.clone()}</p>
                    <h2>"History"</h2>
                    <ol class="history">
                        {receipt.history.iter().map(|(label, at)| view! { <li>{label.clone()} " — " {at.clone()}</li> }).collect_view()}
                    </ol>
                </div>
            </div>
        </section>
    }
}

#[component]
pub fn OrderStatusPage() -> impl IntoView {
    let look_up = ServerAction::<LookUpOrder>::new();
    view! {
        {page_meta("Order status", "Find your order with its number and email.", "/order-status")}
        <h1>"Find your order"</h1>
        {action_error(look_up)}
        <ActionForm action=look_up attr:class="lookup-form">
            <label for="number">"Order number"</label>
            <input id="number" type="text" name="number" placeholder="ST-10042" required maxlength="32" />
            <label for="lookup-email">"Email used for the order"</label>
            <input id="lookup-email" type="email" name="email" required maxlength="254" autocomplete="email" />
            <button type="submit">"Find order"</button>
        </ActionForm>
    }
}
