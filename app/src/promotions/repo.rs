//! Reading live promotions for a cart, checking a shopper's code, and taking uses inside
//! the place-order transaction.
//!
//! Uses are rows of `order_discounts` not released. A promotion with a total or
//! per-customer limit, and a code with its own limit, is locked (`FOR UPDATE`, in id order,
//! after the stock) before its uses are counted, so concurrent checkouts count one after
//! another and a limit of 50 gives exactly 50 orders. Promotions without limits take no
//! lock and cost checkouts nothing.

use crate::kernel::error::{AppError, FieldError};
use crate::kernel::money::{CurrencyCode, Money};
use crate::promotions::engine::{Benefit, Discounts, Item, Limits, Offer, Target, Unmet};
use sqlx::PgConnection;
use std::collections::HashMap;

/// The longest code a shopper may type; codes are kept upper-case.
pub const MAX_CODE_LENGTH: usize = 40;

/// A code as typed → its stored form, or what is wrong with it.
pub fn normalise_code(typed: &str) -> Result<String, String> {
    let code = typed.trim().to_uppercase();
    let valid = (3..=MAX_CODE_LENGTH).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && code
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric());
    if valid {
        Ok(code)
    } else {
        Err(format!(
            "Discount codes are 3 to {MAX_CODE_LENGTH} letters, digits and dashes, e.g. SPRING20."
        ))
    }
}

#[derive(sqlx::FromRow)]
struct OfferRow {
    id: i64,
    name: String,
    kind: String,
    value: i64,
    buy_quantity: Option<i32>,
    get_quantity: Option<i32>,
    product_ids: Vec<i64>,
    category_ids: Vec<i64>,
    min_subtotal_minor: Option<i64>,
    min_quantity: Option<i32>,
    combines: bool,
    priority: i32,
    usage_limit: Option<i32>,
    per_customer_limit: Option<i32>,
}

const OFFER_COLUMNS: &str = "p.id, p.name, p.kind, p.value, p.buy_quantity, p.get_quantity,
    p.product_ids, p.category_ids, p.min_subtotal_minor, p.min_quantity, p.combines, p.priority,
    p.usage_limit, p.per_customer_limit";

/// Live: started, not ended, not paused, not used up.
const LIVE: &str =
    "NOT p.is_paused AND p.starts_at <= now() AND (p.ends_at IS NULL OR p.ends_at > now())
    AND CASE WHEN p.usage_limit IS NULL THEN true
             ELSE p.usage_limit > (SELECT count(*) FROM order_discounts d
                                   WHERE d.promotion_id = p.id AND d.released_at IS NULL) END";

/// Each category with every category below it.
pub struct CategoryDescendants(HashMap<i64, Vec<i64>>);

impl CategoryDescendants {
    /// Read only when some promotion names categories: most carts then pay nothing.
    pub async fn load_if(connection: &mut PgConnection, needed: bool) -> Result<Self, AppError> {
        if !needed {
            return Ok(Self(HashMap::new()));
        }
        let rows: Vec<(i64, Option<i64>)> = sqlx::query_as("SELECT id, parent_id FROM categories")
            .fetch_all(connection)
            .await?;
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for (id, parent) in &rows {
            if let Some(parent) = parent {
                children.entry(*parent).or_default().push(*id);
            }
        }
        let mut below = HashMap::new();
        for (id, _) in &rows {
            let mut all = vec![*id];
            let mut index = 0;
            while index < all.len() && all.len() <= rows.len() {
                if let Some(kids) = children.get(&all[index]) {
                    all.extend(kids.iter().copied());
                }
                index += 1;
            }
            below.insert(*id, all);
        }
        Ok(Self(below))
    }

    fn expand(&self, ids: &[i64]) -> Vec<i64> {
        let mut all: Vec<i64> = ids
            .iter()
            .flat_map(|id| self.0.get(id).cloned().unwrap_or_else(|| vec![*id]))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

fn into_offer(
    row: OfferRow,
    code: Option<(String, Option<i32>)>,
    categories: &CategoryDescendants,
) -> Offer {
    let benefit = match row.kind.as_str() {
        "percent_off" => Benefit::PercentOff(row.value),
        "amount_off" => Benefit::AmountOff(row.value),
        "buy_x_get_y" => Benefit::BuyXGetY {
            buy: row.buy_quantity.unwrap_or(1),
            get: row.get_quantity.unwrap_or(1),
            percent_bp: row.value,
        },
        _ => Benefit::FreeShipping,
    };
    let (code, code_limit) = code.unzip();
    Offer {
        promotion_id: row.id,
        name: row.name,
        code,
        limits: Limits {
            total: row.usage_limit,
            per_customer: row.per_customer_limit,
            code: code_limit.flatten(),
        },
        benefit,
        target: Target {
            product_ids: row.product_ids,
            category_ids: categories.expand(&row.category_ids),
        },
        min_subtotal_minor: row.min_subtotal_minor,
        min_quantity: row.min_quantity,
        combines: row.combines,
        priority: row.priority,
    }
}

/// Every live automatic promotion.
pub async fn automatic_offers(connection: &mut PgConnection) -> Result<Vec<Offer>, AppError> {
    let rows: Vec<OfferRow> = sqlx::query_as(&format!(
        "SELECT {OFFER_COLUMNS} FROM promotions p WHERE NOT p.needs_code AND {LIVE} ORDER BY p.id"
    ))
    .fetch_all(&mut *connection)
    .await?;
    let categories =
        CategoryDescendants::load_if(connection, rows.iter().any(|r| !r.category_ids.is_empty()))
            .await?;
    Ok(rows
        .into_iter()
        .map(|row| into_offer(row, None, &categories))
        .collect())
}

/// Who is buying, for per-customer limits: the account holding the cart (looked up in
/// the same statement, only when a limit asks), and the email once it is known.
#[derive(Clone, Debug)]
pub struct Customer {
    pub cart_id: uuid::Uuid,
    pub email: Option<String>,
}

impl Customer {
    pub fn of_cart(cart_id: uuid::Uuid, email: Option<&str>) -> Self {
        Self {
            cart_id,
            email: email.map(str::to_owned),
        }
    }

    /// Uses of the promotion not given back, by this account or this email (the
    /// account's own email when none was given yet).
    async fn uses_of(
        &self,
        connection: &mut PgConnection,
        promotion_id: i64,
    ) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar(
            "WITH buyer AS (SELECT (SELECT id FROM accounts WHERE cart_id = $2) AS account_id,
                                   lower(coalesce($3, (SELECT email FROM accounts WHERE cart_id = $2))) AS email)
             SELECT count(*) FROM order_discounts d, buyer b
             WHERE d.promotion_id = $1 AND d.released_at IS NULL
               AND (d.account_id = b.account_id OR lower(d.email) = b.email)",
        )
        .bind(promotion_id)
        .bind(self.cart_id)
        .bind(self.email.as_deref())
        .fetch_one(connection)
        .await?)
    }
}

#[derive(sqlx::FromRow)]
struct CodeState {
    #[sqlx(flatten)]
    offer: OfferRow,
    is_paused: bool,
    starts_at: chrono::DateTime<chrono::Utc>,
    ends_at: Option<chrono::DateTime<chrono::Utc>>,
    max_uses: Option<i32>,
    promotion_uses: i64,
    code_uses: i64,
}

/// A problem with the discount code, shown next to the code box.
pub fn code_problem(message: String) -> AppError {
    AppError::InvalidFields(vec![FieldError::new("code", message)])
}

/// Placing an order with a code that no longer applies: named, never silently dropped.
pub fn code_blocks_order(problem: &str) -> AppError {
    code_problem(format!("{problem} Remove the code to continue without it."))
}

fn day(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

/// The promotion a code gives this cart, or a field error on `code` saying exactly why
/// not: unknown, not started, expired, paused, used up, already used by this customer, or
/// which condition the cart does not meet.
pub async fn offer_for_code(
    connection: &mut PgConnection,
    typed: &str,
    items: &[Item],
    customer: &Customer,
    currency: &CurrencyCode,
) -> Result<Offer, AppError> {
    let code = normalise_code(typed).map_err(code_problem)?;
    let state: Option<CodeState> = sqlx::query_as(&format!(
        "SELECT {OFFER_COLUMNS}, p.is_paused, p.starts_at, p.ends_at, c.max_uses,
                CASE WHEN p.usage_limit IS NULL THEN 0 ELSE
                    (SELECT count(*) FROM order_discounts d WHERE d.promotion_id = p.id AND d.released_at IS NULL) END AS promotion_uses,
                CASE WHEN c.max_uses IS NULL THEN 0 ELSE
                    (SELECT count(*) FROM order_discounts d WHERE d.code = c.code AND d.released_at IS NULL) END AS code_uses
         FROM promotion_codes c JOIN promotions p ON p.id = c.promotion_id
         WHERE c.code = $1"
    ))
    .bind(&code)
    .fetch_optional(&mut *connection)
    .await?;
    let Some(state) = state else {
        return Err(code_problem(format!("There is no discount code {code}.")));
    };
    let now = chrono::Utc::now();
    if state.starts_at > now {
        return Err(code_problem(format!(
            "{code} can be used from {}.",
            day(state.starts_at)
        )));
    }
    if let Some(ends_at) = state.ends_at.filter(|end| *end <= now) {
        return Err(code_problem(format!("{code} expired on {}.", day(ends_at))));
    }
    if state.is_paused {
        return Err(code_problem(format!(
            "{code} cannot be used at the moment."
        )));
    }
    let used_up = state
        .offer
        .usage_limit
        .is_some_and(|limit| state.promotion_uses >= i64::from(limit))
        || state
            .max_uses
            .is_some_and(|limit| state.code_uses >= i64::from(limit));
    if used_up {
        return Err(code_problem(format!("{code} has been used up.")));
    }
    if let Some(limit) = state.offer.per_customer_limit {
        if customer.uses_of(connection, state.offer.id).await? >= i64::from(limit) {
            return Err(code_problem(already_used(&code, limit)));
        }
    }
    let categories =
        CategoryDescendants::load_if(connection, !state.offer.category_ids.is_empty()).await?;
    let offer = into_offer(
        state.offer,
        Some((code.clone(), state.max_uses)),
        &categories,
    );
    if let Some(unmet) = offer.unmet(items) {
        return Err(code_problem(unmet_message(&code, &unmet, currency)));
    }
    Ok(offer)
}

fn already_used(name: &str, limit: i32) -> String {
    match limit {
        1 => format!("You have already used {name}."),
        n => format!("You have already used {name} {n} times, as often as it allows."),
    }
}

/// Which condition a cart misses, as the shopper reads it.
pub fn unmet_message(code: &str, unmet: &Unmet, currency: &CurrencyCode) -> String {
    let money = |minor| Money::new(minor, currency.clone()).to_string();
    match unmet {
        Unmet::NoItems => format!("{code} does not apply to anything in your cart."),
        Unmet::MinSubtotal { needed, have } => format!(
            "{code} needs {} of eligible items in your cart (you have {}).",
            money(*needed),
            money(*have)
        ),
        Unmet::MinQuantity { needed, have } => {
            format!("{code} needs at least {needed} eligible items in your cart (you have {have}).")
        }
    }
}

/// The cart's code, when it has one.
pub async fn cart_code(
    connection: &mut PgConnection,
    cart_id: uuid::Uuid,
) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar::<_, Option<String>>("SELECT promotion_code FROM carts WHERE id = $1")
            .bind(cart_id)
            .fetch_optional(connection)
            .await?
            .flatten(),
    )
}

pub async fn set_cart_code(
    connection: &mut PgConnection,
    cart_id: uuid::Uuid,
    code: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE carts SET promotion_code = $2 WHERE id = $1")
        .bind(cart_id)
        .bind(code)
        .execute(connection)
        .await?;
    Ok(())
}

/// The promotions a cart may get: every live automatic one, and its code's when the code
/// applies; otherwise why the code does not.
pub struct CartOffers {
    pub offers: Vec<Offer>,
    pub code: Option<String>,
    pub code_problem: Option<String>,
}

pub async fn cart_offers(
    connection: &mut PgConnection,
    cart_id: uuid::Uuid,
    items: &[Item],
    customer: &Customer,
    currency: &CurrencyCode,
) -> Result<CartOffers, AppError> {
    let mut offers = automatic_offers(connection).await?;
    let code = cart_code(connection, cart_id).await?;
    let mut code_problem = None;
    if let Some(code) = &code {
        match offer_for_code(connection, code, items, customer, currency).await {
            Ok(offer) => offers.push(offer),
            Err(AppError::InvalidFields(problems)) => {
                code_problem = problems.into_iter().next().map(|p| p.message);
            }
            Err(error) => return Err(error),
        }
    }
    Ok(CartOffers {
        offers,
        code,
        code_problem,
    })
}

/// Why a code that applies on its own is not among the discounts chosen: it does not
/// combine, and what the cart already gets saves more.
pub fn code_left_out(code: &str, discounts: &Discounts) -> Option<String> {
    let used = discounts
        .applied
        .iter()
        .any(|a| a.code.as_deref() == Some(code));
    (!used && !discounts.applied.is_empty()).then(|| {
        let names: Vec<&str> = discounts.applied.iter().map(|a| a.name.as_str()).collect();
        format!(
            "{code} does not combine with {}, which saves you more.",
            names.join(" and ")
        )
    })
}

/// Inside the place-order transaction: for every applied promotion (and code) with a
/// limit, locks it (in id order, after the stock) and checks that a use is left for this
/// customer, holding the lock until commit. Unlimited promotions cost nothing here.
pub async fn take_uses(
    tx: &mut PgConnection,
    discounts: &Discounts,
    offers: &[Offer],
    customer: &Customer,
) -> Result<(), AppError> {
    let mut applied: Vec<(&crate::promotions::engine::Applied, Limits)> = discounts
        .applied
        .iter()
        .filter_map(|a| {
            let offer = offers.iter().find(|o| o.promotion_id == a.promotion_id)?;
            Some((a, offer.limits))
        })
        .collect();
    applied.sort_by_key(|(a, _)| a.promotion_id);
    for (promotion, limits) in applied {
        let name = promotion.code.as_deref().unwrap_or(&promotion.name);
        let gone = || {
            AppError::invalid(format!(
                "{name} has just ended or been used up. Review the new total and place the order again."
            ))
        };
        if limits.any_on_promotion() {
            let still_live: bool = sqlx::query_scalar(
                "SELECT NOT is_paused AND starts_at <= now() AND (ends_at IS NULL OR ends_at > now())
                 FROM promotions WHERE id = $1 FOR UPDATE",
            )
            .bind(promotion.promotion_id)
            .fetch_one(&mut *tx)
            .await?;
            if !still_live {
                return Err(gone());
            }
        }
        if let Some(limit) = limits.total {
            let uses: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM order_discounts WHERE promotion_id = $1 AND released_at IS NULL",
            )
            .bind(promotion.promotion_id)
            .fetch_one(&mut *tx)
            .await?;
            if uses >= i64::from(limit) {
                return Err(gone());
            }
        }
        if let Some(limit) = limits.per_customer {
            if customer.uses_of(tx, promotion.promotion_id).await? >= i64::from(limit) {
                return Err(code_problem(already_used(name, limit)));
            }
        }
        if let (Some(code), Some(limit)) = (&promotion.code, limits.code) {
            let uses: i64 = sqlx::query_scalar(
                "WITH locked AS (SELECT code FROM promotion_codes WHERE code = $1 FOR UPDATE)
                 SELECT count(*) FROM order_discounts WHERE code = (SELECT code FROM locked) AND released_at IS NULL",
            )
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
            if uses >= i64::from(limit) {
                return Err(gone());
            }
        }
    }
    Ok(())
}

/// Records the order's discounts in two statements: one row per promotion, and each
/// one's share of each line (`line_ids` in the cart's line order).
pub async fn record_uses(
    tx: &mut PgConnection,
    order_id: i64,
    line_ids: &[i64],
    discounts: &Discounts,
    customer: &Customer,
    email: &str,
) -> Result<(), AppError> {
    if discounts.applied.is_empty() {
        return Ok(());
    }
    let applied = &discounts.applied;
    let ids: Vec<i64> = applied.iter().map(|a| a.promotion_id).collect();
    let names: Vec<&str> = applied.iter().map(|a| a.name.as_str()).collect();
    let codes: Vec<Option<&str>> = applied.iter().map(|a| a.code.as_deref()).collect();
    let lines_off: Vec<i64> = applied.iter().map(|a| a.per_line.iter().sum()).collect();
    let shipping_off: Vec<i64> = applied.iter().map(|a| a.shipping_minor).collect();
    sqlx::query(
        "INSERT INTO order_discounts (order_id, promotion_id, name, code, lines_minor, shipping_minor, account_id, email)
         SELECT $1, p, n, c, l, s, (SELECT id FROM accounts WHERE cart_id = $7), $8
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) AS t(p, n, c, l, s)",
    )
    .bind(order_id)
    .bind(&ids)
    .bind(&names)
    .bind(&codes)
    .bind(&lines_off)
    .bind(&shipping_off)
    .bind(customer.cart_id)
    .bind(email)
    .execute(&mut *tx)
    .await?;
    let (mut lines, mut promotions, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    for promotion in applied {
        for (line, amount) in line_ids.iter().zip(&promotion.per_line) {
            if *amount > 0 {
                lines.push(*line);
                promotions.push(promotion.promotion_id);
                amounts.push(*amount);
            }
        }
    }
    sqlx::query(
        "INSERT INTO order_line_discounts (order_line_id, promotion_id, amount_minor)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])",
    )
    .bind(&lines)
    .bind(&promotions)
    .bind(&amounts)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A cancelled order gives its uses back.
pub async fn release_uses(tx: &mut PgConnection, order_id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE order_discounts SET released_at = now() WHERE order_id = $1 AND released_at IS NULL",
    )
    .bind(order_id)
    .execute(tx)
    .await?;
    Ok(())
}

/// An order's discounts by name, for receipts and the staff order page.
pub async fn order_discount_lines(
    connection: &mut PgConnection,
    order_id: i64,
    currency: &CurrencyCode,
) -> Result<Vec<crate::promotions::model::DiscountLine>, AppError> {
    let rows: Vec<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT name, code, lines_minor + shipping_minor FROM order_discounts
         WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(connection)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(name, code, amount_minor)| crate::promotions::model::DiscountLine {
                name,
                code,
                amount: Money::new(amount_minor, currency.clone()).to_string(),
                amount_minor,
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::normalise_code;

    #[test]
    fn codes_are_read_in_any_case_and_kept_upper_case() {
        assert_eq!(normalise_code(" spring20 "), Ok("SPRING20".into()));
        assert_eq!(normalise_code("Xmas-2026_a"), Ok("XMAS-2026_A".into()));
    }

    #[test]
    fn codes_with_other_characters_or_lengths_are_refused() {
        for bad in [
            "",
            "ab",
            "-SPRING",
            "SPR ING",
            "SPRING\u{0}",
            "ÄPFEL",
            &"A".repeat(41),
            &"A".repeat(10_240),
        ] {
            assert!(normalise_code(bad).is_err(), "{bad:?}");
        }
    }
}
