//! `/admin/integrations` (admins): the API keys other systems use, with their scopes, last
//! use and error rate; making one (shown once) and revoking one; then the webhooks.

use crate::admin::integrations::api::{api_keys, ApiKeyStored, CreateApiKey, RevokeApiKey};
use crate::admin::integrations::webhooks::WebhookSection;
use crate::admin::ui::toast_results;
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use crate::integrations::model::{ApiKeyRow, NewApiKey, Scope};
use leptos::prelude::*;

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let stored = ServerAction::<ApiKeyStored>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    toast_results(revoke, "Key revoked: it stopped working.");
    let keys = Resource::new(
        move || {
            (
                create.version().get(),
                stored.version().get(),
                revoke.version().get(),
            )
        },
        |_| api_keys(),
    );
    let content = move || {
        Suspend::new(async move {
            match keys.await {
                Ok((rows, new_key)) => view! {
                    {new_key.map(|key| view! { <NewKeyPanel key stored /> })}
                    <KeyTable rows revoke />
                }
                .into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Integrations · Staff area", "API keys and webhooks for other systems.", "/admin/integrations")}
        <h1>"Integrations"</h1>
        <p>"Other systems (an ERP, a warehouse, accounting) use the " <a href="/api/v1">"integration API"</a>
           " with a key each, and receive events through webhooks. Give a key only the scopes its system needs; revoke keys and remove endpoints nobody uses."</p>
        <h2>"API keys"</h2>
        {action_error(revoke)}
        <Transition fallback=|| view! { <p class="loading">"Loading keys…"</p> }>{content}</Transition>
        <section class="panel" aria-labelledby="new-key-heading">
            <h3 id="new-key-heading">"Make a key"</h3>
            {action_error(create)}
            <ActionForm action=create attr:class="account-form">
                <label for="key-name">"What it is for"</label>
                <input id="key-name" name="form[name]" required maxlength="100" placeholder="Warehouse ERP" />
                <fieldset class="scope-list">
                    <legend>"Scopes"</legend>
                    {Scope::ALL.into_iter().map(|scope| {
                        let id = format!("scope-{}", scope.as_str().replace(':', "-"));
                        let name = format!("form[scope_{}]", scope.as_str().replace(':', "_"));
                        view! {
                            <div class="check">
                                <input type="checkbox" id=id.clone() name=name />
                                <label for=id><code>{scope.as_str()}</code> " – " {scope.describe()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <label for="key-expiry">"Expires after (days; empty for never)"</label>
                <input id="key-expiry" name="form[expires_days]" inputmode="numeric" maxlength="4" />
                <button type="submit" data-testid="make-key" disabled=move || create.pending().get()>"Make key"</button>
            </ActionForm>
        </section>
        <WebhookSection />
    }
}

#[component]
fn NewKeyPanel(key: NewApiKey, stored: ServerAction<ApiKeyStored>) -> impl IntoView {
    view! {
        <section id="new-key" class="panel new-key" data-testid="new-key" aria-labelledby="made-key-heading">
            <h3 id="made-key-heading">"Your new key"</h3>
            <p>"Copy it into the other system's settings now. It is not shown again; only its prefix "
               <code>{key.prefix.clone()}</code> " is."</p>
            <p><code class="secret" data-testid="new-key-text">{key.key}</code></p>
            <ActionForm action=stored>
                <button type="submit" data-testid="key-stored">"I have stored it"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn KeyTable(rows: Vec<ApiKeyRow>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No API keys yet."</p> }.into_any();
    }
    view! {
        <table class="admin-table stack-on-phone" data-testid="api-keys">
            <caption class="visually-hidden">"API keys"</caption>
            <thead><tr><th scope="col">"Key"</th><th scope="col">"Scopes"</th><th scope="col">"Last used"</th><th scope="col">"Last 7 days"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|key| {
                    let confirm = format!("revoke-{}", key.id);
                    let use_text = key.use_in_last_week();
                    view! {
                        <tr>
                            <td data-label="Key"><strong>{key.name}</strong><br /><code>{key.prefix}</code>
                                <br /><small>{format!("made {} by {}", key.created_at, key.created_by)}</small></td>
                            <td data-label="Scopes">{key.scopes.join(", ")}</td>
                            <td data-label="Last used">{match (key.last_used_at, key.last_used_address) {
                                (Some(at), Some(address)) => format!("{at} from {address}"),
                                (Some(at), None) => at,
                                _ => "never".to_owned(),
                            }}</td>
                            <td data-label="Last 7 days">{use_text}</td>
                            <td data-label="Status">
                                {if key.usable {
                                    view! {
                                        {key.expires_at.map(|at| view! { <small>{format!("expires {at}")}</small><br /> })}
                                        <ActionForm action=revoke attr:class="inline-form">
                                            <input type="hidden" name="id" value=key.id.to_string() />
                                            <input id=confirm.clone() type="checkbox" required />
                                            <label for=confirm>"Confirm"</label>
                                            <button type="submit" class="danger" data-testid="revoke-key">"Revoke"</button>
                                        </ActionForm>
                                    }.into_any()
                                } else {
                                    view! { <span class="badge">"Revoked or expired"</span> }.into_any()
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
