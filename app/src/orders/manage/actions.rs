//! Reading and acting on orders for staff. Every action is one transaction holding the
//! status change, its effects (stock, refund rows, webhook events) and its audit record.

use crate::audit::{record, Actor, Change};
use crate::kernel::error::{AppError, FieldError};
use crate::kernel::money::{format_minor, CurrencyCode, Money};
use crate::kernel::money::{major_units_text, store_currency};
use crate::orders::email::{queue_status_notice, StatusNotice};
use crate::orders::manage::model::{
    FulfilForm, OrderFilter, OrderList, OrderRow, RefundForm, StaffOrder, TimelineEntry,
};
use crate::orders::manage::payment_actions::{
    release_payment_for_cancel, CancelledPayment, LockedPayment,
};
use crate::orders::model::{OrderStatus, PaymentAttention};
use crate::orders::status::{transition_order_in, Moved};
use crate::payments::{PaymentGateways, RefundRequest};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub const ORDERS_PER_PAGE: i64 = 50;

/// The filter, checked: bad dates or amounts are named, not ignored.
struct CheckedFilter {
    status: Option<OrderStatus>,
    from: Option<chrono::DateTime<chrono::Utc>>,
    until: Option<chrono::DateTime<chrono::Utc>>,
    customer: String,
    min_total: Option<i64>,
    max_total: Option<i64>,
    attention_only: bool,
}

fn check_filter(filter: &OrderFilter) -> Result<CheckedFilter, AppError> {
    let mut errors = Vec::new();
    let status = match filter.status.trim() {
        "" => None,
        text => {
            let found = OrderStatus::ALL.into_iter().find(|s| s.as_str() == text);
            if found.is_none() {
                errors.push(FieldError::new("status", "Choose a status from the list."));
            }
            found
        }
    };
    let mut day = |field: &str, text: &str, days_after: i64| {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) => Some(
                (date + chrono::Duration::days(days_after))
                    .and_time(chrono::NaiveTime::MIN)
                    .and_utc(),
            ),
            Err(_) => {
                errors.push(FieldError::new(field, "Enter a date as YYYY-MM-DD."));
                None
            }
        }
    };
    let from = day("from", &filter.from, 0);
    let until = day("to", &filter.to, 1);
    let currency = store_currency();
    let mut amount = |field: &str, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match Money::parse_major(text, &currency) {
            Ok(money) => Some(money.minor_units),
            Err(error) => {
                errors.push(FieldError::new(field, format!("Total: {error}.")));
                None
            }
        }
    };
    let min_total = amount("min_total", &filter.min_total);
    let max_total = amount("max_total", &filter.max_total);
    let attention_only = match filter.attention.trim() {
        "" => false,
        "yes" => true,
        _ => {
            errors.push(FieldError::new("attention", "Choose from the list."));
            false
        }
    };
    if filter.customer.chars().count() > 200 {
        errors.push(FieldError::new(
            "customer",
            "Search for at most 200 characters.",
        ));
    }
    AppError::from_field_errors(errors)?;
    Ok(CheckedFilter {
        status,
        from,
        until,
        customer: crate::kernel::db::escape_like(&filter.customer),
        min_total,
        max_total,
        attention_only,
    })
}

/// Orders matching the filter, newest first, a page at a time.
pub async fn list(pool: &PgPool, filter: &OrderFilter) -> Result<OrderList, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        number: String,
        placed_at: chrono::DateTime<chrono::Utc>,
        email: String,
        ship_name: String,
        status: OrderStatus,
        currency: String,
        total_minor: i64,
        refunded_minor: i64,
        payment_attention: Option<String>,
    }
    let checked = check_filter(filter)?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, number, placed_at, email, ship_name, status, currency, total_minor, refunded_minor,
                payment_attention
         FROM orders
         WHERE ($1::order_status IS NULL OR status = $1)
           AND ($2::timestamptz IS NULL OR placed_at >= $2)
           AND ($3::timestamptz IS NULL OR placed_at < $3)
           AND ($4 = '' OR number = upper($4) OR email ILIKE '%' || $4 || '%' OR ship_name ILIKE '%' || $4 || '%')
           AND ($5::bigint IS NULL OR total_minor >= $5)
           AND ($6::bigint IS NULL OR total_minor <= $6)
           AND ($7::bigint IS NULL OR id < $7)
           AND (NOT $9 OR payment_attention IS NOT NULL)
         ORDER BY id DESC LIMIT $8",
    )
    .bind(checked.status)
    .bind(checked.from)
    .bind(checked.until)
    .bind(&checked.customer)
    .bind(checked.min_total)
    .bind(checked.max_total)
    .bind(filter.before_id)
    .bind(crate::kernel::paging::rows_to_fetch(ORDERS_PER_PAGE))
    .bind(checked.attention_only)
    .fetch_all(pool)
    .await?;
    let (rows, next_before_id) =
        crate::kernel::paging::keyset_page(rows, ORDERS_PER_PAGE, |r| r.id);
    let times: Vec<_> = rows.iter().map(|r| r.placed_at).collect();
    let local = crate::kernel::clock::store_times(pool, &times).await?;
    Ok(OrderList {
        rows: rows
            .into_iter()
            .zip(local)
            .map(|(r, placed_at)| {
                let money = |minor| format_minor(minor, &r.currency);
                OrderRow {
                    number: r.number,
                    placed_at,
                    email: r.email,
                    name: r.ship_name,
                    status: r.status,
                    total: money(r.total_minor),
                    refunded: (r.refunded_minor > 0).then(|| money(r.refunded_minor)),
                    attention: r
                        .payment_attention
                        .as_deref()
                        .and_then(PaymentAttention::parse),
                }
            })
            .collect(),
        next_before_id,
    })
}

/// The order with this number, with its timeline of transitions and refunds.
pub async fn detail(pool: &PgPool, number: &str) -> Result<StaffOrder, AppError> {
    let receipt = crate::orders::receipt::order_receipt(pool, number, None)
        .await?
        .ok_or_else(|| AppError::not_found("There is no order with this number."))?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        status: OrderStatus,
        total_minor: i64,
        refunded_minor: i64,
        carrier: Option<String>,
        tracking_number: Option<String>,
        payment_provider: String,
        payment_attention: Option<String>,
        payment_attention_detail: Option<String>,
    }
    let Row {
        id,
        status,
        total_minor,
        refunded_minor,
        carrier,
        tracking_number,
        payment_provider,
        payment_attention,
        payment_attention_detail,
    } = sqlx::query_as(
        "SELECT id, status, total_minor, refunded_minor, carrier, tracking_number, payment_provider,
                payment_attention, payment_attention_detail
         FROM orders WHERE number = $1",
    )
    .bind(&receipt.number)
    .fetch_one(pool)
    .await?;
    // Transitions and refunds, in time order: a transition has its statuses, a refund
    // its amount.
    #[derive(sqlx::FromRow)]
    struct Event {
        at: chrono::DateTime<chrono::Utc>,
        from_status: Option<OrderStatus>,
        to_status: Option<OrderStatus>,
        amount_minor: Option<i64>,
        note: String,
    }
    let events: Vec<Event> = sqlx::query_as(
        "SELECT at, from_status, to_status, amount_minor, note FROM (
             SELECT at, id, from_status, to_status, NULL::bigint AS amount_minor, note
             FROM order_transitions WHERE order_id = $1
             UNION ALL
             SELECT at, id, NULL, NULL, amount_minor,
                    CASE WHEN provider_reference IS NULL THEN reason
                         ELSE reason || ' (' || provider_reference || ')' END
             FROM order_refunds WHERE order_id = $1
         ) timeline ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let times: Vec<_> = events.iter().map(|e| e.at).collect();
    let local = crate::kernel::clock::store_times(pool, &times).await?;
    let timeline = events
        .into_iter()
        .zip(local)
        .map(|(event, at)| TimelineEntry {
            at,
            title: match (event.amount_minor, event.from_status, event.to_status) {
                (Some(amount), _, _) => {
                    format!("Refunded {}", format_minor(amount, &receipt.currency))
                }
                (None, None, _) => "Placed".to_owned(),
                (None, Some(_), Some(to)) => to.label().to_owned(),
                (None, Some(_), None) => String::new(),
            },
            detail: event.note,
        })
        .collect();
    let currency = CurrencyCode::parse(&receipt.currency).map_err(|_| AppError::Internal)?;
    let refundable_minor = total_minor - refunded_minor;
    Ok(StaffOrder {
        id,
        status,
        receipt,
        refunded_minor,
        refundable: major_units_text(refundable_minor, &currency),
        refundable_minor,
        carrier,
        tracking_number,
        payment_provider,
        attention: payment_attention
            .as_deref()
            .and_then(PaymentAttention::parse),
        attention_detail: payment_attention_detail,
        timeline,
        request_key: Uuid::new_v4().to_string(),
    })
}

/// An order's number and its shopper's email.
async fn order_contact(
    connection: &mut PgConnection,
    order_id: i64,
) -> Result<(String, String), AppError> {
    Ok(
        sqlx::query_as("SELECT number, email FROM orders WHERE id = $1")
            .bind(order_id)
            .fetch_one(connection)
            .await?,
    )
}

/// Audits a status change of order `number`.
async fn record_move(
    connection: &mut PgConnection,
    actor: &Actor,
    number: String,
    action: &str,
    moved: Moved,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let mut after = serde_json::json!({ "status": moved.to.as_str() });
    if let (Some(after), Some(extra)) = (after.as_object_mut(), details.as_object()) {
        after.extend(extra.clone());
    }
    record(
        connection,
        actor,
        Change {
            action,
            entity_type: "order",
            entity_id: number,
            before: Some(serde_json::json!({ "status": moved.from.as_str() })),
            after: Some(after),
        },
    )
    .await
}

/// Marks a bank-transfer or cash order paid.
pub async fn mark_paid(pool: &PgPool, actor: &Actor, order_id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let moved =
        transition_order_in(&mut tx, order_id, OrderStatus::Paid, "marked paid by staff").await?;
    if moved.changed() {
        let (number, _) = order_contact(&mut tx, order_id).await?;
        let details = serde_json::json!({});
        record_move(&mut tx, actor, number, "order.mark_paid", moved, details).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Cancels an order before shipment; its units go back in stock and the shopper is told.
/// A card authorization still open is voided, and a captured card payment is refunded in
/// full, at the provider first: when it refuses, nothing is cancelled.
pub async fn cancel(
    pool: &PgPool,
    gateways: &PaymentGateways,
    actor: &Actor,
    order_id: i64,
    public_url: &str,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let payment = LockedPayment::lock(&mut tx, order_id).await?;
    if payment.status == OrderStatus::Cancelled {
        return Ok(()); // a double click: the first one cancelled
    }
    if !payment.status.can_become(OrderStatus::Cancelled) {
        return Err(AppError::invalid(format!(
            "An order that is “{}” cannot be cancelled.",
            payment.status.label()
        )));
    }
    let released = release_payment_for_cancel(&mut tx, gateways, order_id, &payment).await?;
    let moved = transition_order_in(
        &mut tx,
        order_id,
        OrderStatus::Cancelled,
        "cancelled by staff, stock returned",
    )
    .await?;
    if moved.changed() {
        let (number, email) = order_contact(&mut tx, order_id).await?;
        let cancelled = StatusNotice::Cancelled;
        queue_status_notice(&mut tx, order_id, &number, &email, cancelled, public_url).await?;
        let details = match released {
            CancelledPayment::Nothing => serde_json::json!({ "restocked": true }),
            CancelledPayment::Voided => {
                serde_json::json!({ "restocked": true, "authorization_voided": true })
            }
            CancelledPayment::Refunded { amount_minor } => {
                serde_json::json!({ "restocked": true, "refunded_minor": amount_minor })
            }
        };
        record_move(&mut tx, actor, number, "order.cancel", moved, details).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Marks a paid order shipped, with its carrier and tracking number, and emails both to
/// the shopper.
pub async fn fulfil(
    pool: &PgPool,
    actor: &Actor,
    form: &FulfilForm,
    public_url: &str,
) -> Result<(), AppError> {
    let carrier = form.carrier.trim();
    let tracking = form.tracking_number.trim();
    let mut errors = Vec::new();
    if !(1..=100).contains(&carrier.chars().count()) {
        errors.push(FieldError::new(
            "carrier",
            "Enter the carrier (up to 100 characters).",
        ));
    }
    if !(1..=100).contains(&tracking.chars().count()) {
        errors.push(FieldError::new(
            "tracking_number",
            "Enter the tracking number (up to 100 characters).",
        ));
    }
    AppError::from_field_errors(errors)?;
    let mut tx = pool.begin().await?;
    let note = format!("{carrier} {tracking}");
    let moved = transition_order_in(&mut tx, form.order_id, OrderStatus::Fulfilled, &note).await?;
    if moved.changed() {
        let (number, email): (String, String) = sqlx::query_as(
            "UPDATE orders SET carrier = $2, tracking_number = $3 WHERE id = $1
             RETURNING number, email",
        )
        .bind(form.order_id)
        .bind(carrier)
        .bind(tracking)
        .fetch_one(&mut *tx)
        .await?;
        let shipped = StatusNotice::Shipped {
            carrier,
            tracking_number: tracking,
        };
        queue_status_notice(&mut tx, form.order_id, &number, &email, shipped, public_url).await?;
        let details = serde_json::json!({ "carrier": carrier, "tracking_number": tracking });
        record_move(&mut tx, actor, number, "order.fulfil", moved, details).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Refunds part or all of what was paid, with a reason. Refunds never add up to more
/// than the order's total; refunding the rest makes the order "Refunded". A repeated
/// request (same key) refunds once.
pub async fn refund(
    pool: &PgPool,
    gateways: &PaymentGateways,
    actor: &Actor,
    form: &RefundForm,
    public_url: &str,
) -> Result<(), AppError> {
    let reason = form.reason.trim();
    let request_key = Uuid::parse_str(form.request_key.trim()).map_err(|_| {
        AppError::invalid("The form is out of date: reload the page and try again.")
    })?;
    let mut tx = pool.begin().await?;
    let payment = LockedPayment::lock(&mut tx, form.order_id).await?;
    let (number, status, total_minor, refunded_minor) = (
        payment.number.clone(),
        payment.status,
        payment.total_minor,
        payment.refunded_minor,
    );
    // Checked under the order's lock: a concurrent duplicate waits, then finds this one.
    let done: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM order_refunds WHERE idempotency_key = $1)",
    )
    .bind(request_key)
    .fetch_one(&mut *tx)
    .await?;
    if done {
        return Ok(());
    }
    if !matches!(
        status,
        OrderStatus::Paid | OrderStatus::Fulfilled | OrderStatus::Completed
    ) {
        return Err(AppError::invalid(format!(
            "An order that is “{}” cannot be refunded.",
            status.label()
        )));
    }
    let currency_code = payment.currency()?;
    let refundable = total_minor - refunded_minor;
    let mut errors = Vec::new();
    let amount = match Money::parse_major(&form.amount, &currency_code) {
        Ok(money) if money.minor_units == 0 => {
            errors.push(FieldError::new("amount", "Enter an amount above zero."));
            0
        }
        Ok(money) if money.minor_units > refundable => {
            errors.push(FieldError::new(
                "amount",
                format!(
                    "At most {} can be refunded (paid {}, already refunded {}).",
                    Money::new(refundable, currency_code.clone()),
                    Money::new(total_minor, currency_code.clone()),
                    Money::new(refunded_minor, currency_code.clone()),
                ),
            ));
            0
        }
        Ok(money) => money.minor_units,
        Err(error) => {
            errors.push(FieldError::new("amount", format!("Amount: {error}.")));
            0
        }
    };
    if !(1..=500).contains(&reason.chars().count()) {
        errors.push(FieldError::new(
            "reason",
            "Give a reason (up to 500 characters).",
        ));
    }
    AppError::from_field_errors(errors)?;
    // The money moves first, at the provider that took it, under the order's lock; only
    // an accepted refund is recorded. Manual payments are paid back by hand.
    let provider_reference = match &payment.payment_reference {
        Some(reference) if payment.payment_provider != "manual" => {
            let provider = payment.provider(gateways)?;
            let refunded = provider
                .refund(RefundRequest {
                    payment_reference: reference,
                    amount: &Money::new(amount, currency_code.clone()),
                    refund_key: request_key.to_string(),
                })
                .await
                .map_err(|error| {
                    metrics::counter!("stoa_payment_refund_failures_total").increment(1);
                    AppError::InvalidFields(vec![FieldError::new(
                        "amount",
                        format!(
                            "The payment provider did not refund: {error} Nothing was refunded."
                        ),
                    )])
                })?;
            refunded.reference
        }
        _ => None,
    };
    if let Some(reference) = &provider_reference {
        // Recorded already from the provider's event (the first attempt's commit failed
        // after the provider refunded): this retry is done.
        let known: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM order_refunds WHERE provider_reference = $1)",
        )
        .bind(reference)
        .fetch_one(&mut *tx)
        .await?;
        if known {
            tx.commit().await?;
            return Ok(());
        }
    }
    let booked = book_refund_in(
        &mut tx,
        &RefundToBook {
            order_id: form.order_id,
            amount_minor: amount,
            reason,
            idempotency_key: request_key,
            actor_id: Some(actor.id),
            provider_reference: provider_reference.as_deref(),
            made_in_provider: false,
        },
        public_url,
    )
    .await?;
    let (refunded_after, status_after) = (booked.refunded_minor, booked.status);
    record(
        &mut tx,
        actor,
        Change {
            action: "order.refund",
            entity_type: "order",
            entity_id: number,
            before: Some(
                serde_json::json!({ "status": status.as_str(), "refunded_minor": refunded_minor }),
            ),
            after: Some(serde_json::json!({
                "status": status_after.as_str(), "refunded_minor": refunded_after,
                "amount_minor": amount, "reason": reason,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One refund to record on an order whose row the caller has locked.
pub(crate) struct RefundToBook<'a> {
    pub order_id: i64,
    pub amount_minor: i64,
    pub reason: &'a str,
    pub idempotency_key: Uuid,
    pub actor_id: Option<i64>,
    pub provider_reference: Option<&'a str>,
    /// Made in the provider's dashboard rather than from the store.
    pub made_in_provider: bool,
}

/// The order after a booked refund.
pub(crate) struct Booked {
    pub refunded_minor: i64,
    pub status: OrderStatus,
}

/// Records a refund the money has already moved for: the refund row, the order's refunded
/// sum, "Refunded" once everything paid went back (which sends `order.refunded`), else an
/// `order.refunded` event for the part, and the shopper's email. The caller's transaction.
pub(crate) async fn book_refund_in(
    tx: &mut PgConnection,
    refund: &RefundToBook<'_>,
    public_url: &str,
) -> Result<Booked, AppError> {
    sqlx::query(
        "INSERT INTO order_refunds (order_id, amount_minor, reason, idempotency_key, actor_id,
                                    provider_reference, made_in)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(refund.order_id)
    .bind(refund.amount_minor)
    .bind(refund.reason)
    .bind(refund.idempotency_key)
    .bind(refund.actor_id)
    .bind(refund.provider_reference)
    .bind(if refund.made_in_provider {
        "provider"
    } else {
        "store"
    })
    .execute(&mut *tx)
    .await?;
    let (number, email, status, currency, total_minor, refunded_after): (
        String,
        String,
        OrderStatus,
        String,
        i64,
        i64,
    ) = sqlx::query_as(
        "UPDATE orders SET refunded_minor = refunded_minor + $2 WHERE id = $1
         RETURNING number, email, status, currency, total_minor, refunded_minor",
    )
    .bind(refund.order_id)
    .bind(refund.amount_minor)
    .fetch_one(&mut *tx)
    .await?;
    let status_after = if refunded_after == total_minor && status.can_become(OrderStatus::Refunded)
    {
        // Sends order.refunded with the whole total.
        transition_order_in(
            &mut *tx,
            refund.order_id,
            OrderStatus::Refunded,
            refund.reason,
        )
        .await?
        .to
    } else {
        let event = crate::orders::event_payload::with_order(
            &mut *tx,
            refund.order_id,
            serde_json::json!({
                "number": number, "status": status.as_str(), "partial": refunded_after < total_minor,
                "amount_minor": refund.amount_minor, "refunded_minor": refunded_after, "total_minor": total_minor,
            }),
        )
        .await?;
        crate::webhooks::outbox::emit(&mut *tx, "order.refunded", event).await?;
        status
    };
    let currency = CurrencyCode::parse(&currency).map_err(|_| AppError::Internal)?;
    let money = |minor: i64| Money::new(minor, currency.clone());
    let notice = StatusNotice::Refunded {
        amount: money(refund.amount_minor),
        refunded: money(refunded_after),
        paid: money(total_minor),
    };
    queue_status_notice(tx, refund.order_id, &number, &email, notice, public_url).await?;
    Ok(Booked {
        refunded_minor: refunded_after,
        status: status_after,
    })
}
