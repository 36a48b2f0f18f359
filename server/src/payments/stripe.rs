//! Stripe's HTTP API behind `app::payments::PaymentProvider`: PaymentIntents with manual
//! capture (authorized before the order transaction, captured after it commits, cancelled
//! when no order results), refunds, and the reads the webhook and reconciliation need.
//!
//! Every request that creates or moves money carries an `Idempotency-Key` derived from
//! our own key (`app::payments::stripe::idempotency_key`), and payment intents and refunds
//! carry our key in their metadata: a retry after a timeout finds what the first attempt
//! made instead of making it twice. The secret key is only ever sent in the
//! `Authorization` header; no request or response body is logged.

use crate::config::StripeConfig;
use crate::outbound::{http_client, HttpClient};
use app::kernel::money::Money;
use app::payments::stripe::{
    idempotency_key, StripePayment, CHECKOUT_KEY_METADATA, REFUND_KEY_METADATA,
};
use app::payments::{
    Authorization, AuthorizeRequest, CardOnFile, PaymentDetails, PaymentError, PaymentFuture,
    PaymentProvider, ProviderRefund, RefundRequest,
};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::Value;
use std::time::Duration;

/// Stripe answers within seconds; a request still open after this counts as failed (and
/// its retry reuses the idempotency key).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Enough for any answer the store reads; a larger body is treated as a failure.
const MAX_RESPONSE_BYTES: usize = 1 << 20;

pub struct StripeClient {
    http: HttpClient,
    api_base: String,
    secret_key: String,
}

/// How a call failed.
#[derive(Debug)]
pub enum StripeFailure {
    /// A card error (HTTP 402): the shopper's bank said no; the message is Stripe's.
    Card(String),
    /// Stripe refused the request (4xx other than 402, 404 and 429): Stripe's message.
    Refused(String),
    /// Stripe has no such object (404): Stripe's message.
    Missing(String),
    /// No usable answer: network, timeout, 429 or 5xx.
    Unavailable(String),
}

impl From<StripeFailure> for PaymentError {
    fn from(failure: StripeFailure) -> Self {
        match failure {
            StripeFailure::Card(message) => PaymentError::Declined(format!(
                "Your card was declined ({}). Your cart is unchanged; try another card.",
                message.trim_end_matches('.')
            )),
            StripeFailure::Refused(message) | StripeFailure::Missing(message) => {
                PaymentError::Refused(message)
            }
            StripeFailure::Unavailable(reason) => {
                tracing::warn!(%reason, "Stripe could not be reached");
                PaymentError::Unavailable
            }
        }
    }
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

impl StripeClient {
    pub fn new(config: &StripeConfig) -> Self {
        Self {
            http: http_client(),
            api_base: config.api_base.clone(),
            secret_key: config.secret_key.clone(),
        }
    }

    /// One call to Stripe's API: form-encoded parameters in, JSON out.
    pub async fn call(
        &self,
        method: hyper::Method,
        path: &str,
        params: &[(&str, String)],
        idempotency: Option<&str>,
    ) -> Result<Value, StripeFailure> {
        let encoded = {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (name, value) in params {
                form.append_pair(name, value);
            }
            form.finish()
        };
        let (uri, body) = if method == hyper::Method::GET && !encoded.is_empty() {
            (format!("{}{path}?{encoded}", self.api_base), String::new())
        } else {
            (format!("{}{path}", self.api_base), encoded)
        };
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(uri)
            .header(
                hyper::header::AUTHORIZATION,
                format!("Bearer {}", self.secret_key),
            )
            .header(
                hyper::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(hyper::header::USER_AGENT, "Stoa/1");
        if let Some(key) = idempotency {
            request = request.header("Idempotency-Key", key);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| StripeFailure::Unavailable(format!("bad request: {e}")))?;
        let response = match tokio::time::timeout(REQUEST_TIMEOUT, self.http.request(request)).await
        {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => return Err(StripeFailure::Unavailable(error.to_string())),
            Err(_) => return Err(StripeFailure::Unavailable("timed out".to_owned())),
        };
        let status = response.status().as_u16();
        let bytes = http_body_util::Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| StripeFailure::Unavailable(format!("reading the answer: {e}")))?
            .to_bytes();
        let json: Value = serde_json::from_slice(&bytes)
            .map_err(|_| StripeFailure::Unavailable(format!("HTTP {status} without JSON")))?;
        if (200..300).contains(&status) {
            return Ok(json);
        }
        let message = text(&json, "/error/message").unwrap_or_else(|| format!("HTTP {status}"));
        Err(match status {
            402 => StripeFailure::Card(message),
            404 => StripeFailure::Missing(message),
            429 | 500.. => StripeFailure::Unavailable(message),
            _ => StripeFailure::Refused(message),
        })
    }

    /// A payment intent as Stripe has it now.
    pub async fn payment_intent(&self, id: &str) -> Result<Value, StripeFailure> {
        self.call(
            hyper::Method::GET,
            &format!("/v1/payment_intents/{id}"),
            &[],
            None,
        )
        .await
    }

    /// The refunds of a payment intent, newest first: (id, amount in minor units, our key).
    pub async fn refunds_of(
        &self,
        payment_intent: &str,
    ) -> Result<Vec<(String, i64, Option<String>)>, StripeFailure> {
        let list = self
            .call(
                hyper::Method::GET,
                "/v1/refunds",
                &[
                    ("payment_intent", payment_intent.to_owned()),
                    ("limit", "100".to_owned()),
                ],
                None,
            )
            .await?;
        Ok(list
            .get("data")
            .and_then(Value::as_array)
            .map(|refunds| {
                refunds
                    .iter()
                    .filter(|r| {
                        matches!(
                            r.get("status").and_then(Value::as_str),
                            Some("succeeded" | "pending")
                        )
                    })
                    .filter_map(|r| {
                        Some((
                            text(r, "/id")?,
                            r.get("amount").and_then(Value::as_i64)?,
                            text(r, &format!("/metadata/{REFUND_KEY_METADATA}")),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Brand and last four digits of the card behind a payment method.
    async fn card_of(&self, payment_method: &str) -> (Option<String>, Option<String>) {
        let Ok(method) = self
            .call(
                hyper::Method::GET,
                &format!("/v1/payment_methods/{payment_method}"),
                &[],
                None,
            )
            .await
        else {
            return (None, None);
        };
        let card = card_part(&method);
        (text(card, "/brand").map(|b| brand_name(&b)), last4_of(card))
    }

    async fn authorization_from(
        &self,
        intent: &Value,
        amount: &Money,
    ) -> Result<Authorization, PaymentError> {
        let id = text(intent, "/id").ok_or(PaymentError::Unavailable)?;
        match text(intent, "/status").as_deref() {
            Some("requires_capture") => {
                let charged = intent.get("amount").and_then(Value::as_i64);
                if charged != Some(amount.minor_units) {
                    tracing::error!(payment_intent = %id, ?charged, expected = amount.minor_units, "Stripe authorized another amount");
                    return Err(PaymentError::Unavailable);
                }
                let (card_brand, card_last4) = match text(intent, "/payment_method") {
                    Some(method) => self.card_of(&method).await,
                    None => (None, None),
                };
                Ok(Authorization {
                    provider: "stripe",
                    reference: Some(id),
                    card_brand,
                    card_last4,
                    capture_after_placing: true,
                })
            }
            Some("requires_action") => Err(PaymentError::NeedsAuthentication {
                client_secret: text(intent, "/client_secret").ok_or(PaymentError::Unavailable)?,
            }),
            Some("requires_payment_method") => {
                let reason = text(intent, "/last_payment_error/message")
                    .unwrap_or_else(|| "the bank did not approve it".to_owned());
                Err(StripeFailure::Card(reason).into())
            }
            other => {
                tracing::error!(payment_intent = %id, status = ?other, "unexpected payment intent status");
                Err(PaymentError::Unavailable)
            }
        }
    }

    async fn authorize_method(
        &self,
        method: &str,
        request: &AuthorizeRequest<'_>,
    ) -> Result<Authorization, PaymentError> {
        let key = idempotency_key("authorize", request.checkout_key, Some(method));
        let method = self.chargeable(method).await?;
        let metadata = format!("metadata[{CHECKOUT_KEY_METADATA}]");
        let mut params = vec![
            ("amount", request.amount.minor_units.to_string()),
            ("currency", request.amount.currency.as_str().to_lowercase()),
            ("payment_method", method),
            ("capture_method", "manual".to_owned()),
            ("confirm", "true".to_owned()),
            (metadata.as_str(), request.checkout_key.to_string()),
        ];
        if let Some(customer) = request.customer {
            params.push(("customer", customer.to_owned()));
        }
        let intent = self
            .call(
                hyper::Method::POST,
                "/v1/payment_intents",
                &params,
                Some(&key),
            )
            .await?;
        self.authorization_from(&intent, request.amount).await
    }

    /// What a payment intent can charge for `method`: a card token (from Stripe.js
    /// stand-ins without payment methods) stands for its card.
    async fn chargeable(&self, method: &str) -> Result<String, PaymentError> {
        if !method.starts_with("tok_") {
            return Ok(method.to_owned());
        }
        let token = self
            .call(
                hyper::Method::GET,
                &format!("/v1/tokens/{method}"),
                &[],
                None,
            )
            .await?;
        text(&token, "/card/id").ok_or(PaymentError::Unavailable)
    }

    /// A payment intent the shopper confirmed with their bank: used only when it was made
    /// for this checkout and this amount.
    async fn authorize_confirmed(
        &self,
        intent_id: &str,
        request: &AuthorizeRequest<'_>,
    ) -> Result<Authorization, PaymentError> {
        let intent = self
            .payment_intent(intent_id)
            .await
            .map_err(|failure| match failure {
                StripeFailure::Refused(_) | StripeFailure::Missing(_) => PaymentError::Declined(
                    "The card confirmation could not be found. Enter your card again.".to_owned(),
                ),
                other => other.into(),
            })?;
        let ours = text(&intent, &format!("/metadata/{CHECKOUT_KEY_METADATA}"))
            == Some(request.checkout_key.to_string());
        let currency = text(&intent, "/currency").map(|c| c.to_uppercase());
        if !ours || currency.as_deref() != Some(request.amount.currency.as_str()) {
            return Err(PaymentError::Declined(
                "This card confirmation belongs to another checkout. Enter your card again."
                    .to_owned(),
            ));
        }
        self.authorization_from(&intent, request.amount).await
    }

    /// Calls `path` on the intent; when Stripe refuses because it is already in
    /// `done_status` (a retry of a call that succeeded), that is success too.
    async fn intent_step(
        &self,
        authorization: &Authorization,
        step: &str,
        done_status: &str,
    ) -> Result<(), PaymentError> {
        let id = authorization.reference.as_deref().ok_or_else(|| {
            PaymentError::Refused("The order has no Stripe payment reference.".to_owned())
        })?;
        let key = format!("stoa-{step}-{id}");
        let path = format!("/v1/payment_intents/{id}/{step}");
        match self.call(hyper::Method::POST, &path, &[], Some(&key)).await {
            Ok(_) => Ok(()),
            Err(StripeFailure::Refused(message) | StripeFailure::Missing(message)) => {
                let intent = self.payment_intent(id).await?;
                if text(&intent, "/status").as_deref() == Some(done_status) {
                    Ok(())
                } else {
                    Err(PaymentError::Refused(message))
                }
            }
            Err(other) => Err(other.into()),
        }
    }
}

/// The card in Stripe's answer: a payment method has it under `card`, a card object
/// (`card_…`) is one.
fn card_part(object: &Value) -> &Value {
    object
        .get("card")
        .filter(|c| c.is_object())
        .unwrap_or(object)
}

/// The card's last four digits, when they are four digits.
fn last4_of(card: &Value) -> Option<String> {
    text(card, "/last4").filter(|l| l.len() == 4 && l.chars().all(|c| c.is_ascii_digit()))
}

/// A kept card from Stripe's answer.
fn card_on_file(object: &Value) -> Option<CardOnFile> {
    let card = card_part(object);
    let month = card.get("exp_month").and_then(Value::as_i64)?;
    let year = card.get("exp_year").and_then(Value::as_i64)?;
    Some(CardOnFile {
        reference: text(object, "/id")?,
        brand: brand_name(&text(card, "/brand").unwrap_or_default()),
        last4: last4_of(card)?,
        exp_month: i16::try_from(month).ok().filter(|m| (1..=12).contains(m))?,
        exp_year: i16::try_from(year)
            .ok()
            .filter(|y| (2000..=2100).contains(y))?,
    })
}

/// Removing something Stripe no longer has is done already.
fn gone_is_done(result: Result<Value, StripeFailure>) -> Result<(), PaymentError> {
    match result {
        Ok(_) | Err(StripeFailure::Missing(_)) => Ok(()),
        Err(other) => Err(other.into()),
    }
}

fn brand_name(brand: &str) -> String {
    match brand.to_lowercase().as_str() {
        "visa" => "Visa".to_owned(),
        "mastercard" => "Mastercard".to_owned(),
        "amex" | "american express" => "American Express".to_owned(),
        "discover" => "Discover".to_owned(),
        _ => "Card".to_owned(),
    }
}

impl PaymentProvider for StripeClient {
    fn code(&self) -> &'static str {
        "stripe"
    }

    fn authorize<'a>(
        &'a self,
        request: AuthorizeRequest<'a>,
    ) -> PaymentFuture<'a, Result<Authorization, PaymentError>> {
        Box::pin(async move {
            match request.details {
                PaymentDetails::Stripe(StripePayment::Method(method)) => {
                    self.authorize_method(method, &request).await
                }
                PaymentDetails::Stripe(StripePayment::AuthenticatedIntent(intent)) => {
                    self.authorize_confirmed(intent, &request).await
                }
                _ => Err(PaymentError::Declined(
                    "Enter your card details.".to_owned(),
                )),
            }
        })
    }

    fn capture<'a>(
        &'a self,
        authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        Box::pin(self.intent_step(authorization, "capture", "succeeded"))
    }

    fn void<'a>(
        &'a self,
        authorization: &'a Authorization,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        Box::pin(self.intent_step(authorization, "cancel", "canceled"))
    }

    fn create_customer<'a>(
        &'a self,
        account_id: i64,
        email: &'a str,
    ) -> PaymentFuture<'a, Result<String, PaymentError>> {
        Box::pin(async move {
            let customer = self
                .call(
                    hyper::Method::POST,
                    "/v1/customers",
                    &[
                        ("email", email.to_owned()),
                        ("metadata[stoa_account_id]", account_id.to_string()),
                    ],
                    Some(&format!("stoa-customer-{account_id}")),
                )
                .await?;
            text(&customer, "/id").ok_or(PaymentError::Unavailable)
        })
    }

    fn keep_card<'a>(
        &'a self,
        customer: &'a str,
        method: &'a str,
    ) -> PaymentFuture<'a, Result<CardOnFile, PaymentError>> {
        Box::pin(async move {
            let kept = if method.starts_with("tok_") {
                // A stand-in's token: the card joins the customer's sources.
                self.call(
                    hyper::Method::POST,
                    &format!("/v1/customers/{customer}/sources"),
                    &[("source", method.to_owned())],
                    Some(&format!("stoa-keep-{method}")),
                )
                .await?
            } else {
                self.call(
                    hyper::Method::POST,
                    &format!("/v1/payment_methods/{method}/attach"),
                    &[("customer", customer.to_owned())],
                    Some(&format!("stoa-keep-{method}-{customer}")),
                )
                .await?
            };
            card_on_file(&kept).ok_or_else(|| {
                PaymentError::Declined(
                    "This card cannot be saved. Pay without saving it.".to_owned(),
                )
            })
        })
    }

    fn forget_card<'a>(
        &'a self,
        customer: &'a str,
        reference: &'a str,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        Box::pin(async move {
            let result = if reference.starts_with("card_") {
                self.call(
                    hyper::Method::DELETE,
                    &format!("/v1/customers/{customer}/sources/{reference}"),
                    &[],
                    None,
                )
                .await
            } else {
                self.call(
                    hyper::Method::POST,
                    &format!("/v1/payment_methods/{reference}/detach"),
                    &[],
                    None,
                )
                .await
            };
            gone_is_done(result)
        })
    }

    fn forget_customer<'a>(
        &'a self,
        customer: &'a str,
    ) -> PaymentFuture<'a, Result<(), PaymentError>> {
        Box::pin(async move {
            gone_is_done(
                self.call(
                    hyper::Method::DELETE,
                    &format!("/v1/customers/{customer}"),
                    &[],
                    None,
                )
                .await,
            )
        })
    }

    fn refund<'a>(
        &'a self,
        request: RefundRequest<'a>,
    ) -> PaymentFuture<'a, Result<ProviderRefund, PaymentError>> {
        Box::pin(async move {
            // A retry after a timeout: the first attempt's refund, if Stripe made it.
            let earlier = self.refunds_of(request.payment_reference).await?;
            if let Some((id, _, _)) = earlier
                .into_iter()
                .find(|(_, _, key)| key.as_deref() == Some(request.refund_key.as_str()))
            {
                return Ok(ProviderRefund {
                    reference: Some(id),
                });
            }
            let params = [
                ("payment_intent", request.payment_reference.to_owned()),
                ("amount", request.amount.minor_units.to_string()),
                (
                    &format!("metadata[{REFUND_KEY_METADATA}]") as &str,
                    request.refund_key.clone(),
                ),
            ];
            let key = format!("stoa-refund-{}", request.refund_key);
            let refund = self
                .call(hyper::Method::POST, "/v1/refunds", &params, Some(&key))
                .await?;
            match text(&refund, "/status").as_deref() {
                Some("succeeded" | "pending") => Ok(ProviderRefund {
                    reference: text(&refund, "/id"),
                }),
                other => Err(PaymentError::Refused(format!(
                    "Stripe did not accept the refund (status {}).",
                    other.unwrap_or("unknown")
                ))),
            }
        })
    }
}
