//! The second step of a staff login, and the security page: two-factor login (set up,
//! recovery codes, turn off) and where the account is logged in.

use crate::accounts::actions::use_session_actions;
use crate::accounts::two_factor::api::{
    my_logins, security_status, ConfirmTwoFactor, EndLogin, RecoveryCodesSaved, RenewRecoveryCodes,
    StartTwoFactor, SubmitLoginCode, TurnOffTwoFactor,
};
use crate::accounts::two_factor::model::{LoginSession, TwoFactorStatus};
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn query_value(name: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name))
}

#[component]
pub fn LoginCodePage() -> impl IntoView {
    let submit = ServerAction::<SubmitLoginCode>::new();
    view! {
        {page_meta("Enter your code", "The second step of logging in.", "/account/login/code")}
        <section class="account-form">
            <h1>"Two-factor login"</h1>
            <p>"Open your authenticator app and enter the 6-digit code it shows for this store."</p>
            {action_error(submit)}
            <ActionForm action=submit>
                <label for="login-code">"Code"</label>
                <input id="login-code" name="code" inputmode="numeric" autocomplete="one-time-code"
                    required maxlength="32" autofocus data-testid="login-code" />
                <button type="submit" disabled=move || submit.pending().get()>
                    {move || if submit.pending().get() { "Checking…" } else { "Log in" }}
                </button>
            </ActionForm>
            <details class="recovery-hint">
                <summary>"No access to your app?"</summary>
                <p>"Enter one of your recovery codes (like " <code>"abcde-fghjk"</code> ") in the same field. Each works once."</p>
                <p>"No recovery codes either? Ask the store's owner to reset your account."</p>
            </details>
            <p><a href="/account/login">"Start again"</a></p>
        </section>
    }
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let start = ServerAction::<StartTwoFactor>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let saved = ServerAction::<RecoveryCodesSaved>::new();
    let renew = ServerAction::<RenewRecoveryCodes>::new();
    let turn_off = ServerAction::<TurnOffTwoFactor>::new();
    let end = ServerAction::<EndLogin>::new();
    let status = Resource::new(
        move || {
            (
                start.version().get(),
                confirm.version().get(),
                saved.version().get(),
                renew.version().get(),
                turn_off.version().get(),
            )
        },
        |_| security_status(),
    );
    let logins = Resource::new(
        move || (end.version().get(), confirm.version().get()),
        |_| my_logins(),
    );
    let actions = SecurityActions {
        start,
        confirm,
        saved,
        renew,
        turn_off,
    };
    let content = move || {
        Suspend::new(async move {
            match status.await {
                Ok(status) => view! { <TwoFactorSection status actions /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    let logins_view = move || {
        Suspend::new(async move {
            match logins.await {
                Ok(logins) => view! { <LoginsSection logins end /> }.into_any(),
                // Part-way through a required enrolment there is no login to list yet.
                Err(_) => ().into_any(),
            }
        })
    };
    view! {
        {page_meta("Security", "Two-factor login and where you are logged in.", "/account/security")}
        <div class="security-page">
            <h1>"Security"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>{content}</Transition>
            <Transition fallback=|| ()>{logins_view}</Transition>
        </div>
    }
}

#[derive(Clone, Copy)]
struct SecurityActions {
    start: ServerAction<StartTwoFactor>,
    confirm: ServerAction<ConfirmTwoFactor>,
    saved: ServerAction<RecoveryCodesSaved>,
    renew: ServerAction<RenewRecoveryCodes>,
    turn_off: ServerAction<TurnOffTwoFactor>,
}

#[component]
fn TwoFactorSection(status: TwoFactorStatus, actions: SecurityActions) -> impl IntoView {
    let SecurityActions {
        start,
        confirm,
        saved,
        renew,
        turn_off,
    } = actions;
    let recovery_used = query_value("recovery_used");
    let turned_off = query_value("off");
    let state_line = if status.enrolled {
        view! { <p class="status-line on" data-testid="two-factor-state"><span class="badge success">"On"</span> " Logging in as " {status.email.clone()} " needs your password and a code from your app."</p> }.into_any()
    } else {
        view! { <p class="status-line" data-testid="two-factor-state"><span class="badge">"Off"</span> " A stolen password is enough to log in as " {status.email.clone()} "."</p> }.into_any()
    };
    let new_codes = status.new_recovery_codes.clone();
    let body = if !status.is_staff {
        view! { <p>"Two-factor login is for staff accounts."</p> }.into_any()
    } else if !new_codes.is_empty() {
        view! {
            <div id="recovery-codes" class="recovery-codes" data-testid="recovery-codes">
                <h3>"Your recovery codes"</h3>
                <p>"If you lose your phone, each of these codes logs you in once instead of a code from the app. "
                   <strong>"Save them now"</strong> " (print them or keep them in a password manager): they are not shown again."</p>
                <ol class="code-list">
                    {new_codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                </ol>
                <ActionForm action=saved>
                    <button type="submit" data-testid="codes-saved">"I have saved these codes"</button>
                </ActionForm>
            </div>
        }.into_any()
    } else if let Some(setup) = status.setup.clone() {
        view! {
            <div class="two-factor-setup" data-testid="two-factor-setup">
                <ol class="setup-steps">
                    <li>
                        <p>"Scan this code with an authenticator app (such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis)."</p>
                        <div class="qr" inner_html=setup.qr_svg role="img" aria-label="QR code of the setup key"></div>
                        <p class="small">"Cannot scan? Enter this key in the app instead:"</p>
                        <p><code class="secret" data-testid="two-factor-secret">{setup.secret_text}</code></p>
                    </li>
                    <li>
                        <p>"Enter the 6-digit code the app now shows."</p>
                        {action_error(confirm)}
                        <ActionForm action=confirm>
                            <label for="confirm-code">"Code"</label>
                            <input id="confirm-code" name="code" inputmode="numeric" autocomplete="one-time-code"
                                required maxlength="32" data-testid="confirm-code" />
                            <button type="submit" disabled=move || confirm.pending().get()>"Turn on two-factor login"</button>
                        </ActionForm>
                    </li>
                </ol>
            </div>
        }.into_any()
    } else if status.enrolled {
        let left = status.recovery_codes_left;
        view! {
            <p data-testid="codes-left">{format!("{left} of 10 recovery codes left.")}</p>
            <details class="danger-zone">
                <summary>"New recovery codes"</summary>
                <p>"Your current recovery codes stop working."</p>
                {action_error(renew)}
                <ActionForm action=renew>
                    <label for="renew-password">"Your password"</label>
                    <input id="renew-password" type="password" name="password" autocomplete="current-password" required maxlength="128" />
                    <button type="submit" class="secondary">"Make new recovery codes"</button>
                </ActionForm>
            </details>
            {(!status.required).then(|| view! {
                <details class="danger-zone">
                    <summary>"Turn off two-factor login"</summary>
                    {action_error(turn_off)}
                    <ActionForm action=turn_off>
                        <label for="off-password">"Your password"</label>
                        <input id="off-password" type="password" name="password" autocomplete="current-password" required maxlength="128" />
                        <button type="submit" class="danger" data-testid="two-factor-off">"Turn off"</button>
                    </ActionForm>
                </details>
            })}
        }.into_any()
    } else {
        view! {
            <p>"You will need an authenticator app on your phone. Setting up takes a minute."</p>
            {action_error(start)}
            <ActionForm action=start>
                <button type="submit" data-testid="two-factor-start">"Set up two-factor login"</button>
            </ActionForm>
        }.into_any()
    };
    view! {
        <section id="two-factor" class="security-section" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor login"</h2>
            {status.enrolling_to_log_in.then(|| view! {
                <p class="notice warning" role="alert" data-testid="two-factor-required">
                    "This store requires two-factor login for owners and admins. Set it up to finish logging in."
                </p>
            })}
            {move || recovery_used.get().map(|left| view! {
                <p class="notice warning" role="status">{format!("You logged in with a recovery code; {left} are left. Make new ones if you are running low.")}</p>
            })}
            {move || turned_off.get().map(|_| view! { <p class="notice success" role="status">"Two-factor login is off."</p> })}
            {state_line}
            {body}
        </section>
    }
}

#[component]
fn LoginsSection(logins: Vec<LoginSession>, end: ServerAction<EndLogin>) -> impl IntoView {
    let ended = query_value("ended");
    let others = logins.iter().filter(|login| !login.current).count();
    let log_out = use_session_actions().log_out;
    view! {
        <section id="logins" class="security-section" aria-labelledby="logins-heading">
            <h2 id="logins-heading">"Where you are logged in"</h2>
            {move || ended.get().map(|_| view! { <p class="notice success" role="status">"Logged out there. That device must log in again."</p> })}
            {action_error(end)}
            <ul class="login-list" data-testid="login-list">
                {logins.into_iter().map(|login| {
                    let id = login.id.clone();
                    view! {
                        <li class="login-row" data-current=login.current.to_string()>
                            <div>
                                <strong>{login.device.clone()}</strong>
                                {login.current.then(|| view! { " " <span class="badge success">"This device"</span> })}
                                <p class="small">{format!("{} · last active {} · logged in {}", login.client_address, login.last_seen_at, login.logged_in_at)}</p>
                            </div>
                            {if login.current {
                                view! {
                                    <ActionForm action=log_out>
                                        <button type="submit" class="secondary">"Log out"</button>
                                    </ActionForm>
                                }.into_any()
                            } else {
                                view! {
                                    <ActionForm action=end>
                                        <input type="hidden" name="id" value=id />
                                        <button type="submit" class="secondary" data-testid="end-login">"Log out there"</button>
                                    </ActionForm>
                                }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(others > 1).then(|| view! {
                <ActionForm action=end>
                    <input type="hidden" name="all_others" value="1" />
                    <button type="submit" class="secondary" data-testid="end-other-logins">"Log out everywhere else"</button>
                </ActionForm>
            })}
        </section>
    }
}
