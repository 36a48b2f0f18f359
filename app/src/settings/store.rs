//! The store's own settings: name, contact, time zone, email sender, order number prefix
//! and currency, as admins set them on `/admin/settings`. Checked field by field (nothing
//! written on a mistake), audited, and read by the storefront's header and footer, the
//! order numbering, receipts and the staff's order pages (times in the store's zone) and
//! outgoing email. The currency is shown, not changed here: the storefront's search
//! filters still format prices with `kernel::money::STORE_CURRENCY`.

use crate::audit::{record, Actor, Change};
use crate::kernel::email::EmailAddress;
use crate::kernel::error::{AppError, FieldError};
use crate::settings::model::{StoreProfileForm, StoreProfileView};
use sqlx::{PgConnection, PgPool};

/// The store's profile as stored (name and sender `None`: the server's configuration).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct StoreProfile {
    pub store_name: Option<String>,
    pub contact_email: String,
    pub contact_address: String,
    pub time_zone: String,
    pub mail_from: Option<String>,
    pub order_number_prefix: String,
}

const PROFILE_SELECT: &str = "SELECT store_name, contact_email, contact_address, time_zone,
    mail_from, order_number_prefix FROM store_settings";

pub async fn store_profile(connection: &mut PgConnection) -> Result<StoreProfile, AppError> {
    Ok(sqlx::query_as(PROFILE_SELECT).fetch_one(connection).await?)
}

const COMMON_TIME_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
];

fn text_ok(text: &str, max: usize) -> bool {
    text.chars().count() <= max
        && !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
}

/// `Name <address>` or a bare address, with a valid address.
fn sender_ok(text: &str) -> bool {
    let address = match (text.rfind('<'), text.strip_suffix('>')) {
        (Some(open), Some(inner)) => {
            let name = text[..open].trim();
            if name.contains(['<', '>', '"']) {
                return false;
            }
            &inner[open + 1..]
        }
        (None, None) => text,
        _ => return false,
    };
    EmailAddress::parse(address.trim()).is_ok() && text_ok(text, 300) && !text.contains('\n')
}

/// Checks every field; the time zone against PostgreSQL's own list.
async fn check(
    connection: &mut PgConnection,
    form: &StoreProfileForm,
) -> Result<StoreProfile, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = form.store_name.trim();
    if !(1..=100).contains(&name.chars().count()) || !text_ok(name, 100) || name.contains('\n') {
        errors.push(FieldError::new(
            "store_name",
            "Name the store in up to 100 characters.",
        ));
    }
    let contact_email = form.contact_email.trim();
    if !contact_email.is_empty() && EmailAddress::parse(contact_email).is_err() {
        errors.push(FieldError::new(
            "contact_email",
            "Enter an email address such as help@shop.example, or leave it empty.",
        ));
    }
    let contact_address = form.contact_address.trim().replace("\r\n", "\n");
    if !text_ok(&contact_address, 500) {
        errors.push(FieldError::new(
            "contact_address",
            "Up to 500 characters, lines allowed.",
        ));
    }
    let time_zone = form.time_zone.trim();
    let known: bool = if time_zone.is_empty() || time_zone.len() > 64 || !text_ok(time_zone, 64) {
        false
    } else {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)")
            .bind(time_zone)
            .fetch_one(&mut *connection)
            .await
            .unwrap_or(false)
    };
    if !known {
        errors.push(FieldError::new(
            "time_zone",
            "Choose a time zone such as Europe/Berlin or America/New_York.",
        ));
    }
    let mail_from = form.mail_from.trim();
    if !mail_from.is_empty() && !sender_ok(mail_from) {
        errors.push(FieldError::new(
            "mail_from",
            "Enter a sender such as Shop <orders@shop.example>, or leave it empty.",
        ));
    }
    let prefix = form.order_number_prefix.trim().to_uppercase();
    let prefix_ok = {
        let letters = prefix.strip_suffix('-').unwrap_or(&prefix);
        (1..=8).contains(&letters.len())
            && letters
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    if !prefix_ok {
        errors.push(FieldError::new(
            "order_number_prefix",
            "Up to 8 letters or digits, optionally ending in a dash: ST-.",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(StoreProfile {
        store_name: Some(name.to_owned()),
        contact_email: contact_email.to_owned(),
        contact_address,
        time_zone: time_zone.to_owned(),
        mail_from: (!mail_from.is_empty()).then(|| mail_from.to_owned()),
        order_number_prefix: prefix,
    })
}

/// What the settings page shows; `configured_name` is the server's, used while the store
/// has none of its own.
pub async fn profile_view(
    pool: &PgPool,
    configured_name: &str,
) -> Result<StoreProfileView, AppError> {
    let mut connection = pool.acquire().await?;
    let profile = store_profile(&mut connection).await?;
    let currency: String = sqlx::query_scalar("SELECT currency FROM store_settings")
        .fetch_one(&mut *connection)
        .await?;
    Ok(StoreProfileView {
        form: StoreProfileForm {
            store_name: profile
                .store_name
                .unwrap_or_else(|| configured_name.to_owned()),
            contact_email: profile.contact_email,
            contact_address: profile.contact_address,
            time_zone: profile.time_zone,
            mail_from: profile.mail_from.unwrap_or_default(),
            order_number_prefix: profile.order_number_prefix,
        },
        currency,
        time_zones: COMMON_TIME_ZONES.iter().map(|z| (*z).to_owned()).collect(),
    })
}

/// Saves the store's settings.
pub async fn save_profile(
    pool: &PgPool,
    actor: &Actor,
    form: &StoreProfileForm,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let checked = check(&mut tx, form)
        .await
        .map_err(AppError::InvalidFields)?;
    let before: StoreProfile = sqlx::query_as(&format!("{PROFILE_SELECT} FOR UPDATE"))
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE store_settings SET store_name = $1, contact_email = $2, contact_address = $3, time_zone = $4,
                mail_from = $5, order_number_prefix = $6",
    )
    .bind(&checked.store_name)
    .bind(&checked.contact_email)
    .bind(&checked.contact_address)
    .bind(&checked.time_zone)
    .bind(&checked.mail_from)
    .bind(&checked.order_number_prefix)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "settings.store",
            entity_type: "store_settings",
            entity_id: "store".to_owned(),
            before: Some(serde_json::to_value(&before).unwrap_or_default()),
            after: Some(serde_json::to_value(&checked).unwrap_or_default()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sender_ok;

    #[test]
    fn a_sender_is_an_address_with_an_optional_name() {
        assert!(sender_ok("Shop <orders@shop.example>"));
        assert!(sender_ok("orders@shop.example"));
        for bad in [
            "Shop <orders>",
            "Shop orders@shop.example>",
            "<a@b.example",
            "A\n<a@b.example>",
            "x",
        ] {
            assert!(!sender_ok(bad), "{bad:?}");
        }
    }
}
