//! The store section of `/admin/settings` (admins): name, contact, time zone, email sender
//! and order number prefix, with errors next to their fields.

use crate::admin::ui::{field_error, field_error_id, successes, toast_results};
use crate::components::notices::{action_error, ErrorPanel};
use crate::kernel::error::AppError;
use crate::settings::model::{StoreProfileForm, StoreProfileView};
use leptos::prelude::*;

#[server(endpoint = "admin/settings/store")]
pub async fn store_profile_settings() -> Result<StoreProfileView, AppError> {
    crate::kernel::context::serve(|state| async move {
        crate::accounts::auth::require_role(crate::accounts::model::Role::Admin).await?;
        crate::settings::store::profile_view(&state.pool, &state.site.store_name).await
    })
    .await
}

#[server(endpoint = "admin/settings/store/save")]
pub async fn save_store_profile(form: StoreProfileForm) -> Result<(), AppError> {
    crate::kernel::context::serve(|state| async move {
        let actor =
            crate::accounts::auth::require_staff(crate::accounts::model::Role::Admin).await?;
        crate::settings::store::save_profile(&state.pool, &actor, &form).await
    })
    .await
}

#[component]
pub fn StoreSection() -> impl IntoView {
    let save = ServerAction::<SaveStoreProfile>::new();
    toast_results(save, "Store settings saved.");
    let saved = successes(save);
    let settings = Resource::new(move || saved.get(), |_| store_profile_settings());
    let content = move || {
        Suspend::new(async move {
            match settings.await {
                Ok(view) => view! { <StoreForm view save /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="store-heading">
            <h2 id="store-heading">"Store"</h2>
            {action_error(save)}
            <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>{content}</Transition>
        </section>
    }
}

#[component]
fn StoreForm(view: StoreProfileView, save: ServerAction<SaveStoreProfile>) -> impl IntoView {
    let form = view.form;
    let zone = form.time_zone.clone();
    // Marks the form once it is interactive: a press before then posts it without
    // JavaScript (which saves too, but without the confirmation), so tests wait for this.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <ActionForm action=save attr:class="account-form" attr:data-testid="store-form" attr:data-hydrated=move || hydrated.get().to_string()>
            <label for="store-name">"Store name"</label>
            <input id="store-name" name="form[store_name]" required maxlength="100" value=form.store_name aria-describedby=field_error_id("store_name") />
            {field_error(save, "store_name")}
            <label for="store-contact-email">"Contact email shoppers see (optional)"</label>
            <input id="store-contact-email" type="email" name="form[contact_email]" maxlength="254" value=form.contact_email aria-describedby=field_error_id("contact_email") />
            {field_error(save, "contact_email")}
            <label for="store-contact-address">"Address shoppers see (optional)"</label>
            <textarea id="store-contact-address" name="form[contact_address]" rows="3" maxlength="500" aria-describedby=field_error_id("contact_address")>{form.contact_address}</textarea>
            {field_error(save, "contact_address")}
            <label for="store-time-zone">"Time zone (times on receipts and order pages)"</label>
            <input id="store-time-zone" name="form[time_zone]" list="time-zones" required maxlength="64" value=form.time_zone aria-describedby=field_error_id("time_zone") />
            <datalist id="time-zones">
                {view.time_zones.into_iter().map(|z| view! { <option value=z.clone() selected=z == zone></option> }).collect_view()}
            </datalist>
            {field_error(save, "time_zone")}
            <label for="store-mail-from">"Emails come from (empty: the server's STOA_MAIL_FROM)"</label>
            <input id="store-mail-from" name="form[mail_from]" maxlength="300" placeholder="Shop <orders@shop.example>" value=form.mail_from aria-describedby=field_error_id("mail_from") />
            {field_error(save, "mail_from")}
            <label for="store-order-prefix">"Order numbers start with (new orders)"</label>
            <input id="store-order-prefix" name="form[order_number_prefix]" required maxlength="9" value=form.order_number_prefix aria-describedby=field_error_id("order_number_prefix") />
            {field_error(save, "order_number_prefix")}
            <p class="fine-print">"Currency: " <strong>{view.currency}</strong> ". Whether prices include tax is set under " <a href="/admin/shipping-tax">"Shipping and tax"</a> "."</p>
            <button type="submit">"Save store settings"</button>
        </ActionForm>
    }
}
