//! The account pages: log in, register, confirm, forgot and reset password, the account
//! overview (orders, password, data) and the address book.

use crate::accounts::actions::{use_session_actions, SessionActions};
use crate::accounts::api::{
    get_account, get_addresses, AddAddress, ChangePassword, MakeDefaultAddress, Register,
    RemoveAddress, RemoveSavedCard, RequestPasswordReset, ResetPassword,
};
use crate::accounts::model::{AccountOverview, SavedAddress, SavedCard};
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use crate::kernel::countries::COUNTRIES;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

fn query_flag(name: &'static str) -> impl Fn() -> bool + Copy {
    let query = use_query_map();
    move || query.read().get(name).is_some()
}

fn query_value(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).unwrap_or_default())
}

fn submit_label<S>(
    action: ServerAction<S>,
    idle: &'static str,
    busy: &'static str,
) -> impl Fn() -> &'static str
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    move || if action.pending().get() { busy } else { idle }
}

const PASSWORD_HINT: &str =
    "At least 8 characters (12 for staff), at most 128. A few unrelated words make a strong password; very common passwords are refused.";

#[component]
pub fn LoginPage() -> impl IntoView {
    let log_in = use_session_actions().log_in;
    let next = query_value("next");
    let was_reset = query_flag("reset");
    view! {
        {page_meta("Log in", "Log in to your account.", "/account/login")}
        <section class="account-form">
            <h1>"Log in"</h1>
            {move || was_reset().then(|| view! { <p class="notice success" role="status">"Your password was changed. Log in with the new one."</p> })}
            {action_error(log_in)}
            <ActionForm action=log_in>
                <input type="hidden" name="next" value=move || next.get() />
                <label for="login-email">"Email"</label>
                <input id="login-email" type="email" name="email" autocomplete="username" required maxlength="254" />
                <label for="login-password">"Password"</label>
                <input id="login-password" type="password" name="password" autocomplete="current-password" required maxlength="128" />
                <button type="submit" disabled=move || log_in.pending().get()>{submit_label(log_in, "Log in", "Logging in…")}</button>
            </ActionForm>
            <p><a href="/account/forgot">"Forgot your password?"</a></p>
            <p>"New here? " <a href="/account/register">"Create an account"</a></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let register = ServerAction::<Register>::new();
    let sent = query_flag("sent");
    view! {
        {page_meta("Create an account", "Create an account to see your orders and save addresses.", "/account/register")}
        <section class="account-form">
            <Show
                when=sent
                fallback=move || view! {
                    <h1>"Create an account"</h1>
                    {action_error(register)}
                    <ActionForm action=register>
                        <label for="register-name">"Name"</label>
                        <input id="register-name" type="text" name="name" autocomplete="name" maxlength="100" />
                        <label for="register-email">"Email"</label>
                        <input id="register-email" type="email" name="email" autocomplete="email" required maxlength="254" />
                        <label for="register-password">"Password"</label>
                        <input id="register-password" type="password" name="password" autocomplete="new-password" required minlength="8" maxlength="128" aria-describedby="password-hint" />
                        <p id="password-hint" class="fine-print">{PASSWORD_HINT}</p>
                        <button type="submit" disabled=move || register.pending().get()>{submit_label(register, "Create account", "Creating…")}</button>
                    </ActionForm>
                    <p>"Already have an account? " <a href="/account/login">"Log in"</a></p>
                }
            >
                <h1>"Check your email"</h1>
                <p class="notice success" role="status" data-testid="registration-sent">
                    "We sent you an email. Follow its link to finish creating your account; it works for 24 hours. "
                    "If this address already has an account, the email tells you how to log in instead."
                </p>
            </Show>
        </section>
    }
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let confirm = use_session_actions().confirm;
    let token = query_value("token");
    view! {
        {page_meta("Confirm your email", "Confirm your email address.", "/account/verify")}
        <section class="account-form">
            <h1>"Confirm your email"</h1>
            {action_error(confirm)}
            <ActionForm action=confirm>
                <input type="hidden" name="token" value=move || token.get() />
                <button type="submit" disabled=move || confirm.pending().get()>{submit_label(confirm, "Confirm my email and log in", "Confirming…")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let sent = query_flag("sent");
    view! {
        {page_meta("Forgot your password", "Get a link to choose a new password.", "/account/forgot")}
        <section class="account-form">
            <h1>"Forgot your password?"</h1>
            <Show
                when=sent
                fallback=move || view! {
                    <p>"Enter your email. If it has an account, we send it a link to choose a new password."</p>
                    {action_error(request)}
                    <ActionForm action=request>
                        <label for="forgot-email">"Email"</label>
                        <input id="forgot-email" type="email" name="email" autocomplete="email" required maxlength="254" />
                        <button type="submit" disabled=move || request.pending().get()>{submit_label(request, "Send me a link", "Sending…")}</button>
                    </ActionForm>
                }
            >
                <p class="notice success" role="status" data-testid="reset-sent">
                    "If an account exists for that address, we sent it a link. The link works once, for 30 minutes."
                </p>
            </Show>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    let token = query_value("token");
    view! {
        {page_meta("Choose a new password", "Choose a new password for your account.", "/account/reset")}
        <section class="account-form">
            <h1>"Choose a new password"</h1>
            {action_error(reset)}
            <ActionForm action=reset>
                <input type="hidden" name="token" value=move || token.get() />
                <label for="reset-password">"New password"</label>
                <input id="reset-password" type="password" name="password" autocomplete="new-password" required minlength="8" maxlength="128" aria-describedby="password-hint" />
                <p id="password-hint" class="fine-print">{PASSWORD_HINT} " Every device logged in to your account is logged out."</p>
                <button type="submit" disabled=move || reset.pending().get()>{submit_label(reset, "Save new password", "Saving…")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    // Removing a saved card reloads the overview, so the list shows what is left.
    let remove_card = ServerAction::<RemoveSavedCard>::new();
    let account = Resource::new(move || remove_card.version().get(), |_| get_account());
    let content = move || {
        Suspend::new(async move {
            match account.await {
                Ok(overview) => view! { <AccountOverviewView overview remove_card /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Your account", "Your orders, addresses and data.", "/account")}
        <Transition fallback=|| view! { <p class="loading">"Loading your account…"</p> }>{content}</Transition>
    }
}

#[component]
fn AccountOverviewView(
    overview: AccountOverview,
    remove_card: ServerAction<RemoveSavedCard>,
) -> impl IntoView {
    let welcome = query_flag("welcome");
    let password_changed = query_flag("password");
    let card_removed = query_flag("card");
    let change = ServerAction::<ChangePassword>::new();
    let SessionActions {
        log_out, delete, ..
    } = use_session_actions();
    let greeting = if overview.name.is_empty() {
        overview.email.clone()
    } else {
        overview.name.clone()
    };
    let orders = overview.orders.clone();
    view! {
        <div class="account-head">
            <h1>"Your account"</h1>
            <ActionForm action=log_out>
                <button type="submit" class="secondary" data-testid="log-out">"Log out"</button>
            </ActionForm>
        </div>
        {move || welcome().then(|| view! { <p class="notice success" role="status">"Your email is confirmed and you are logged in."</p> })}
        {move || card_removed().then(|| view! { <p class="notice success" role="status">"The card was removed. The store's payment provider no longer keeps it."</p> })}
        {move || password_changed().then(|| view! { <p class="notice success" role="status">"Your password was changed. Other devices were logged out."</p> })}
        <p>"Logged in as " <strong data-testid="account-name">{greeting}</strong> " (" {overview.email.clone()} ")."</p>
        {overview.role.map(|role| view! { <p>"Staff role: " <strong>{role.as_str()}</strong> ". " <a href="/admin">"Go to the staff area"</a></p> })}
        <nav class="account-links" aria-label="Account">
            <a href="/account/addresses">"Address book"</a>
            <a href="/account/security">"Security and logins"</a>
        </nav>
        <section aria-labelledby="orders-heading">
            <h2 id="orders-heading">"Your orders"</h2>
            {if orders.is_empty() {
                view! { <p class="empty">"No orders yet."</p> }.into_any()
            } else {
                view! {
                    <table class="order-history" data-testid="order-history">
                        <caption class="visually-hidden">"Orders, newest first"</caption>
                        <thead><tr><th scope="col">"Order"</th><th scope="col">"Placed"</th><th scope="col">"Items"</th><th scope="col">"Status"</th><th scope="col">"Total"</th></tr></thead>
                        <tbody>
                            {orders.into_iter().map(|o| {
                                let href = format!("/order/{}", o.number);
                                view! {
                                    <tr>
                                        <td><a href=href>{o.number}</a></td>
                                        <td>{o.placed_at}</td>
                                        <td>{o.item_count}</td>
                                        <td>{o.status_label}</td>
                                        <td>{o.total}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        {(!overview.saved_cards.is_empty()).then(|| view! { <SavedCards cards=overview.saved_cards.clone() remove=remove_card /> })}
        <section aria-labelledby="password-heading" class="account-form">
            <h2 id="password-heading">"Change your password"</h2>
            {action_error(change)}
            <ActionForm action=change>
                <label for="current-password">"Current password"</label>
                <input id="current-password" type="password" name="current_password" autocomplete="current-password" required maxlength="128" />
                <label for="new-password">"New password"</label>
                <input id="new-password" type="password" name="new_password" autocomplete="new-password" required minlength="8" maxlength="128" aria-describedby="password-hint" />
                <p id="password-hint" class="fine-print">{PASSWORD_HINT} " Other devices are logged out."</p>
                <button type="submit" disabled=move || change.pending().get()>{submit_label(change, "Change password", "Saving…")}</button>
            </ActionForm>
        </section>
        <section aria-labelledby="data-heading" class="account-form">
            <h2 id="data-heading">"Your data"</h2>
            <p><a href="/account/data.json" download="account-data.json" data-testid="export-data">"Download all your data (JSON)"</a></p>
            <h3>"Delete your account"</h3>
            <p>"Your account, addresses and cart are deleted. Orders are kept for the store's accounts without your name, email or address. This cannot be undone."</p>
            {action_error(delete)}
            <ActionForm action=delete>
                <label for="delete-password">"Password"</label>
                <input id="delete-password" type="password" name="password" autocomplete="current-password" required maxlength="128" />
                <div class="choice">
                    <input id="delete-confirm" type="checkbox" required />
                    <label for="delete-confirm">"I understand that this cannot be undone."</label>
                </div>
                <button type="submit" class="danger" disabled=move || delete.pending().get()>{submit_label(delete, "Delete my account", "Deleting…")}</button>
            </ActionForm>
        </section>
    }
}

/// The cards the shopper saved at checkout, each with a remove button.
#[component]
fn SavedCards(cards: Vec<SavedCard>, remove: ServerAction<RemoveSavedCard>) -> impl IntoView {
    view! {
        <section aria-labelledby="cards-heading" class="account-form">
            <h2 id="cards-heading">"Saved cards"</h2>
            <p class="fine-print">"Our payment provider, Stripe, keeps these cards; this store keeps only what you see here."</p>
            {action_error(remove)}
            <ul class="saved-card-list" data-testid="saved-card-list">
                {cards.into_iter().map(|card| {
                    let label = format!("{} ending in {}", card.brand, card.last4);
                    let button_label = format!("Remove {label}");
                    view! {
                        <li>
                            <span><strong>{label}</strong> " · expires " {card.expires}</span>
                            <ActionForm action=remove>
                                <input type="hidden" name="id" value=card.id.to_string() />
                                <button type="submit" class="secondary" aria-label=button_label disabled=move || remove.pending().get()>"Remove"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn AddressBookPage() -> impl IntoView {
    let add = ServerAction::<AddAddress>::new();
    let remove = ServerAction::<RemoveAddress>::new();
    let make_default = ServerAction::<MakeDefaultAddress>::new();
    let addresses = Resource::new(
        move || {
            (
                add.version().get(),
                remove.version().get(),
                make_default.version().get(),
            )
        },
        |_| get_addresses(),
    );
    let content = move || {
        Suspend::new(async move {
            match addresses.await {
                Ok(list) => view! { <AddressList list remove make_default /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Address book", "Your saved addresses.", "/account/addresses")}
        <h1>"Address book"</h1>
        <p><a href="/account">"Back to your account"</a></p>
        {action_error(remove)}
        {action_error(make_default)}
        <Transition fallback=|| view! { <p class="loading">"Loading your addresses…"</p> }>{content}</Transition>
        <section aria-labelledby="add-address-heading" class="account-form">
            <h2 id="add-address-heading">"Add an address"</h2>
            {action_error(add)}
            <ActionForm action=add>
                <label for="address-name">"Full name"</label>
                <input id="address-name" type="text" name="address[name]" autocomplete="name" required maxlength="100" />
                <label for="address-line1">"Address"</label>
                <input id="address-line1" type="text" name="address[line1]" autocomplete="address-line1" required maxlength="200" />
                <label for="address-line2">"Apartment, suite (optional)"</label>
                <input id="address-line2" type="text" name="address[line2]" autocomplete="address-line2" maxlength="200" />
                <label for="address-city">"City"</label>
                <input id="address-city" type="text" name="address[city]" autocomplete="address-level2" required maxlength="100" />
                <label for="address-postal-code">"Postal code"</label>
                <input id="address-postal-code" type="text" name="address[postal_code]" autocomplete="postal-code" required maxlength="20" />
                <label for="address-country">"Country"</label>
                <select id="address-country" name="address[country]" autocomplete="country" required>
                    {COUNTRIES.iter().map(|c| view! { <option value=c.code selected=c.code == "US">{c.name}</option> }).collect_view()}
                </select>
                <button type="submit" disabled=move || add.pending().get()>{submit_label(add, "Save address", "Saving…")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn AddressList(
    list: Vec<SavedAddress>,
    remove: ServerAction<RemoveAddress>,
    make_default: ServerAction<MakeDefaultAddress>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">"No saved addresses yet. The default one fills in the checkout for you."</p> }.into_any();
    }
    view! {
        <ul class="address-list" data-testid="address-list">
            {list.into_iter().map(|saved| {
                let a = saved.address;
                let id = saved.id.to_string();
                view! {
                    <li>
                        <p>
                            {a.name} <br /> {a.line1} <br />
                            {(!a.line2.is_empty()).then(|| view! { {a.line2.clone()} <br /> })}
                            {a.postal_code} " " {a.city} <br /> {a.country}
                        </p>
                        {if saved.is_default {
                            view! { <p class="default-badge">"Default address"</p> }.into_any()
                        } else {
                            let id = id.clone();
                            view! {
                                <ActionForm action=make_default>
                                    <input type="hidden" name="id" value=id />
                                    <button type="submit" class="secondary">"Make default"</button>
                                </ActionForm>
                            }.into_any()
                        }}
                        <ActionForm action=remove>
                            <input type="hidden" name="id" value=id />
                            <button type="submit" class="secondary">"Remove"</button>
                        </ActionForm>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
