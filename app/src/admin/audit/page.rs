//! `/admin/audit`: the audit log, newest first, filtered by entity, id and actor.

use crate::admin::audit::api::browse_audit_log;
use crate::admin::ui::{next_page_href, query_param, ListFilters, ListTable};
use crate::audit::model::{AuditFilter, AuditPage, AUDIT_ENTITY_TYPES};
use crate::components::meta::page_meta;
use crate::components::notices::ErrorPanel;
use leptos::prelude::*;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let entity_type = query_param("entity_type");
    let entity_id = query_param("entity_id");
    let actor = query_param("actor");
    let before = query_param("before");
    let filter = move || AuditFilter {
        entity_type: entity_type.get(),
        entity_id: entity_id.get(),
        actor: actor.get(),
        before_id: before.get().parse().ok(),
    };
    let log = Resource::new(filter, browse_audit_log);
    let rows = move || {
        Suspend::new(async move {
            match log.await {
                Ok(page) => view! { <AuditTable page filter=filter() /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Audit log · Staff area", "Every change made by staff.", "/admin/audit")}
        <h1>"Audit log"</h1>
        <p>"Every change made in the staff area, with who made it, from where, and the values before and after. Entries cannot be edited or deleted."</p>
        <ListFilters action="/admin/audit">
            <label>"Entity"
                <select name="entity_type">
                    <option value="">"Any"</option>
                    {AUDIT_ENTITY_TYPES.into_iter().map(|t| view! {
                        <option value=t selected=move || entity_type.get() == t>{t}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Id or number" <input name="entity_id" maxlength="100" prop:value=move || entity_id.get() /></label>
            <label>"Staff email" <input type="search" name="actor" maxlength="254" prop:value=move || actor.get() /></label>
        </ListFilters>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the audit log…"</p> }>{rows}</Transition>
    }
}

#[component]
fn AuditTable(page: AuditPage, filter: AuditFilter) -> impl IntoView {
    let next = next_page_href(
        "/admin/audit",
        &[
            ("entity_type", filter.entity_type),
            ("entity_id", filter.entity_id),
            ("actor", filter.actor),
        ],
        page.next_before_id,
    );
    view! {
        <ListTable
            test_id="audit-table"
            caption="Audit log, newest first"
            columns=&["When", "Who", "Action", "Entity", "Values"]
            empty="No entries match."
            is_empty=page.entries.is_empty()
            next
        >
                {page.entries.into_iter().map(|e| view! {
                    <tr>
                        <td>{e.at}</td>
                        <td>{e.actor_email} <br /> <small>{e.client_address}</small></td>
                        <td><code>{e.action}</code></td>
                        <td>{e.entity_type} " " {e.entity_id}</td>
                        <td>
                            <details>
                                <summary>"Before and after"</summary>
                                <div class="diff">
                                    <pre aria-label="Before">{if e.before.is_empty() { "(nothing)".to_owned() } else { e.before }}</pre>
                                    <pre aria-label="After">{if e.after.is_empty() { "(nothing)".to_owned() } else { e.after }}</pre>
                                </div>
                            </details>
                        </td>
                    </tr>
                }).collect_view()}
        </ListTable>
    }
}
