//! `/admin/staff` (owner): the staff list with role changes, deactivation, two-factor
//! state (reset) and logins (end them all), the two-factor requirement, and the
//! invitation form.

use crate::accounts::model::Role;
use crate::accounts::model::StaffRow;
use crate::admin::api::{get_staff_member, list_staff};
use crate::admin::staff::api::{
    staff_two_factor_required, ChangeStaffRole, EndStaffLogins, InviteStaff, RequireStaffTwoFactor,
    ResetStaffTwoFactor, SetStaffActive,
};
use crate::admin::ui::{busy_label, field_error_id, successes, toast_results, LabelledField};
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use leptos::prelude::*;

#[component]
pub fn StaffPage() -> impl IntoView {
    let invite = ServerAction::<InviteStaff>::new();
    let change_role = ServerAction::<ChangeStaffRole>::new();
    let set_active = ServerAction::<SetStaffActive>::new();
    let end_logins = ServerAction::<EndStaffLogins>::new();
    let reset = ServerAction::<ResetStaffTwoFactor>::new();
    toast_results(invite, "Invitation sent.");
    toast_results(
        reset,
        "Two-factor login reset; they set it up again at their next login.",
    );
    toast_results(end_logins, "Logged out everywhere.");
    toast_results(change_role, "Role changed.");
    toast_results(set_active, "Account updated.");
    let me = Resource::new(|| (), |_| get_staff_member());
    let (invited, changed, activated) = (
        successes(invite),
        successes(change_role),
        successes(set_active),
    );
    let (ended, was_reset) = (successes(end_logins), successes(reset));
    let staff = Resource::new(
        move || {
            (
                invited.get(),
                changed.get(),
                activated.get(),
                ended.get(),
                was_reset.get(),
            )
        },
        |_| list_staff(),
    );
    let rows = move || {
        Suspend::new(async move {
            let my_email = me.await.map(|m| m.email).unwrap_or_default();
            match staff.await {
                Ok(rows) => {
                    view! { <StaffTable rows my_email change_role set_active end_logins reset /> }
                        .into_any()
                }
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Staff · Staff area", "Staff accounts.", "/admin/staff")}
        <h1>"Staff accounts"</h1>
        {action_error(change_role)}
        {action_error(set_active)}
        {action_error(end_logins)}
        {action_error(reset)}
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading staff…"</p> }>{rows}</Transition>
        <TwoFactorRequirement />
        <section class="panel" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite someone"</h2>
            <p>"They get an email with a link to choose their password (valid 7 days)."</p>
            {action_error(invite)}
            <ActionForm action=invite attr:class="account-form">
                <LabelledField action=invite field="email" input_id="invite-email" label="Email">
                    <input id="invite-email" type="email" name="form[email]" required maxlength="254" aria-describedby=field_error_id("email") />
                </LabelledField>
                <LabelledField action=invite field="name" input_id="invite-name" label="Name">
                    <input id="invite-name" name="form[name]" maxlength="100" aria-describedby=field_error_id("name") />
                </LabelledField>
                <label for="invite-role">"Role"</label>
                <select id="invite-role" name="form[role]">
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> }).collect_view()}
                </select>
                <button type="submit" disabled=move || invite.pending().get()>{busy_label(invite, "Send invitation", "Sending…")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn StaffTable(
    rows: Vec<StaffRow>,
    my_email: String,
    change_role: ServerAction<ChangeStaffRole>,
    set_active: ServerAction<SetStaffActive>,
    end_logins: ServerAction<EndStaffLogins>,
    reset: ServerAction<ResetStaffTwoFactor>,
) -> impl IntoView {
    view! {
        <table class="admin-table" data-testid="staff-table">
            <caption class="visually-hidden">"Staff accounts"</caption>
            <thead><tr><th scope="col">"Email"</th><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Two-factor"</th><th scope="col">"Logged in"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|s| {
                    let is_me = s.email == my_email;
                    let id = s.id.to_string();
                    let role_id = format!("role-{}", s.id);
                    let confirm_id = format!("deactivate-{}", s.id);
                    let active_id = id.clone();
                    let logins_id = id.clone();
                    let reset_id = id.clone();
                    let reset_confirm = format!("reset-{}", s.id);
                    let logins = s.logins;
                    view! {
                        <tr>
                            <td>{s.email.clone()} {is_me.then_some(" (you)")}</td>
                            <td>{s.name}</td>
                            <td>
                                <ActionForm action=change_role attr:class="inline-form">
                                    <input type="hidden" name="id" value=id />
                                    <label for=role_id.clone() class="visually-hidden">{format!("Role of {}", s.email)}</label>
                                    <select id=role_id name="role">
                                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == s.role>{r.as_str()}</option> }).collect_view()}
                                    </select>
                                    <button type="submit" class="secondary" disabled=move || change_role.pending().get()>"Change"</button>
                                </ActionForm>
                            </td>
                            <td>
                                {if s.two_factor { view! { <span class="badge success">"On"</span> }.into_any() } else { view! { <span class="badge">"Off"</span> }.into_any() }}
                                {(s.two_factor && !is_me).then(|| view! {
                                    <ActionForm action=reset attr:class="inline-form">
                                        <input type="hidden" name="id" value=reset_id />
                                        <input id=reset_confirm.clone() type="checkbox" required />
                                        <label for=reset_confirm.clone()>"Confirm"</label>
                                        <button type="submit" class="secondary" data-testid="reset-two-factor" disabled=move || reset.pending().get()>"Reset"</button>
                                    </ActionForm>
                                })}
                            </td>
                            <td>
                                {match logins { 0 => "Nowhere".to_owned(), 1 => "1 device".to_owned(), n => format!("{n} devices") }}
                                {(!is_me && logins > 0).then(|| view! {
                                    <ActionForm action=end_logins attr:class="inline-form">
                                        <input type="hidden" name="id" value=logins_id />
                                        <button type="submit" class="secondary" data-testid="end-staff-logins" disabled=move || end_logins.pending().get()>"Log out everywhere"</button>
                                    </ActionForm>
                                })}
                            </td>
                            <td>
                                {if s.is_active { "Active " } else { "Deactivated " }}
                                {(!is_me).then(|| view! {
                                    <ActionForm action=set_active attr:class="inline-form">
                                        <input type="hidden" name="id" value=active_id />
                                        <input type="hidden" name="on" value=(!s.is_active).to_string() />
                                        {s.is_active.then(|| view! {
                                            <input id=confirm_id.clone() type="checkbox" required />
                                            <label for=confirm_id.clone()>"Confirm"</label>
                                        })}
                                        <button type="submit" class=if s.is_active { "danger" } else { "secondary" } disabled=move || set_active.pending().get()>
                                            {if s.is_active { "Deactivate" } else { "Reactivate" }}
                                        </button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The store setting: two-factor login required of owners and admins.
#[component]
fn TwoFactorRequirement() -> impl IntoView {
    let set = ServerAction::<RequireStaffTwoFactor>::new();
    toast_results(set, "Two-factor requirement changed.");
    let setting = Resource::new(move || set.version().get(), |_| staff_two_factor_required());
    let content = move || {
        Suspend::new(async move {
            match setting.await {
                Ok(required) => {
                    let (status, button) = if required {
                        ("Required: owners and admins log in with a code from an authenticator app; those without one set it up at their next login.", "Stop requiring it")
                    } else {
                        (
                            "Not required: each staff member chooses (on their Security page).",
                            "Require it for owners and admins",
                        )
                    };
                    view! {
                        <p data-testid="two-factor-requirement">{status}</p>
                        <ActionForm action=set attr:class="inline-form">
                            <input type="hidden" name="required" value=(!required).to_string() />
                            <button type="submit" class=if required { "secondary" } else { "" } data-testid="toggle-two-factor-requirement" disabled=move || set.pending().get()>{button}</button>
                        </ActionForm>
                    }
                    .into_any()
                }
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor login"</h2>
            {action_error(set)}
            <Transition fallback=|| ()>{content}</Transition>
        </section>
    }
}
