//! `POST /webhooks/stripe`: Stripe's events about payments. The signature is checked
//! first (400 and nothing changes when it is missing, wrong or too old); each event is
//! then applied once by `app::orders::payment_events`. Events about payments the store
//! does not know are logged and acknowledged, so Stripe stops resending them.
//!
//! Handled: `payment_intent.succeeded`, `payment_intent.payment_failed`,
//! `charge.refunded` (including refunds made in Stripe's dashboard: the refunds are read
//! back from Stripe's API, not trusted from the payload), `charge.dispute.created`.

use crate::payments::signature;
use crate::payments::stripe::StripeFailure;
use crate::state::{AppState, StripeEvents};
use app::orders::payment_events::{apply_provider_event, ProviderEvent, ReceivedEvent};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::Value;

pub use crate::payments::STRIPE_EVENTS_PATH;

pub fn routes() -> Router<AppState> {
    Router::new().route(STRIPE_EVENTS_PATH, post(receive_stripe_event))
}

fn answer(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "message": message }).to_string(),
    )
        .into_response()
}

async fn receive_stripe_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(stripe) = &state.stripe else {
        return answer(
            StatusCode::NOT_FOUND,
            "Stripe is not configured for this store.",
        );
    };
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    if let Err(error) = signature::verify(header, &body, &stripe.webhook_secret, now) {
        tracing::warn!(reason = error.message(), "Stripe event refused");
        metrics::counter!("stoa_payment_events_refused_total").increment(1);
        return answer(StatusCode::BAD_REQUEST, error.message());
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return answer(StatusCode::BAD_REQUEST, "The event is not JSON.");
    };
    let (Some(event_id), Some(event_type)) = (
        event.get("id").and_then(Value::as_str),
        event.get("type").and_then(Value::as_str),
    ) else {
        return answer(StatusCode::BAD_REQUEST, "The event has no id or type.");
    };
    let well_formed = |text: &str, max: usize| {
        (1..=max).contains(&text.len())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    };
    if !well_formed(event_id, 255) || !well_formed(event_type, 100) {
        return answer(
            StatusCode::BAD_REQUEST,
            "The event's id or type is not valid.",
        );
    }
    let translated = match translate(stripe, event_type, &event).await {
        Ok(translated) => translated,
        // Stripe resends an event that was not acknowledged: the next try may reach the API.
        Err(failure) => {
            tracing::warn!(
                ?failure,
                event_type,
                "reading a Stripe event's details failed"
            );
            return answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "Stripe's API could not be reached; send again.",
            );
        }
    };
    let received = ReceivedEvent {
        provider: "stripe",
        event_id,
        event_type,
        event: translated,
    };
    match apply_provider_event(&state.server.pool, &received, &state.server.site.public_url).await {
        Ok(outcome) => {
            tracing::info!(
                event_id,
                event_type,
                outcome = outcome.as_str(),
                "Stripe event"
            );
            answer(StatusCode::OK, outcome.as_str())
        }
        Err(error) => {
            tracing::error!(%error, event_id, event_type, "applying a Stripe event failed");
            answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The event could not be applied; send again.",
            )
        }
    }
}

fn object_text(event: &Value, field: &str) -> Option<String> {
    event
        .pointer(&format!("/data/object/{field}"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Stripe's event in the store's terms.
async fn translate(
    stripe: &StripeEvents,
    event_type: &str,
    event: &Value,
) -> Result<ProviderEvent, StripeFailure> {
    let intent_id = || object_text(event, "id");
    let charged_intent = || object_text(event, "payment_intent");
    Ok(match event_type {
        "payment_intent.succeeded" => match intent_id() {
            Some(payment_reference) => ProviderEvent::PaymentSucceeded { payment_reference },
            None => ProviderEvent::Other,
        },
        "payment_intent.payment_failed" => match intent_id() {
            Some(payment_reference) => ProviderEvent::PaymentFailed {
                payment_reference,
                message: event
                    .pointer("/data/object/last_payment_error/message")
                    .and_then(Value::as_str)
                    .unwrap_or("The payment failed.")
                    .to_owned(),
            },
            None => ProviderEvent::Other,
        },
        "charge.refunded" => match charged_intent() {
            Some(payment_reference) => {
                let refunds = stripe
                    .client
                    .refunds_of(&payment_reference)
                    .await?
                    .into_iter()
                    .map(|(id, amount, _)| (id, amount))
                    .collect();
                ProviderEvent::Refunded {
                    payment_reference,
                    refunds,
                }
            }
            None => ProviderEvent::Other,
        },
        "charge.dispute.created" => match charged_intent() {
            Some(payment_reference) => ProviderEvent::DisputeOpened {
                payment_reference,
                reason: object_text(event, "reason")
                    .unwrap_or_else(|| "no reason given".to_owned()),
            },
            None => ProviderEvent::Other,
        },
        _ => ProviderEvent::Other,
    })
}
