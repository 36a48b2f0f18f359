//! The order confirmation email, written to the outbox inside the order's transaction.

use crate::kernel::address::ShippingAddress;
use crate::kernel::money::{CurrencyCode, Money};
use crate::pricing::Totals;
use sqlx::PgConnection;

pub struct ConfirmationLine<'a> {
    pub product_name: &'a str,
    pub option_values: &'a [String],
    pub quantity: i32,
    pub line_total_minor: i64,
}

/// Plain text: readable in any mail client, nothing to escape.
pub fn confirmation_text(
    number: &str,
    lines: &[ConfirmationLine<'_>],
    totals: &Totals,
    discounts: &[crate::promotions::model::DiscountLine],
    currency: &CurrencyCode,
    address: &ShippingAddress,
    public_url: &str,
) -> String {
    let money = |minor: i64| Money::new(minor, currency.clone()).to_string();
    let mut text = format!("Thank you for your order {number}.\n\n");
    for line in lines {
        let options = if line.option_values.is_empty() {
            String::new()
        } else {
            format!(" ({})", line.option_values.join(", "))
        };
        text.push_str(&format!(
            "{} × {}{}  {}\n",
            line.quantity,
            line.product_name,
            options,
            money(line.line_total_minor)
        ));
    }
    let tax_label = if totals.prices_include_tax {
        "Includes tax"
    } else {
        "Tax"
    };
    text.push_str(&format!("\nSubtotal: {}\n", money(totals.subtotal_minor)));
    for discount in discounts {
        text.push_str(&format!(
            "{}: -{}\n",
            discount.label(),
            money(discount.amount_minor)
        ));
    }
    text.push_str(&format!(
        "Shipping: {}\n{tax_label}: {}\nTotal: {}\n\nShipping to:\n{}\n{}\n",
        money(totals.shipping_minor),
        money(totals.tax_minor),
        money(totals.total_minor),
        address.name,
        address.line1,
    ));
    if !address.line2.is_empty() {
        text.push_str(&format!("{}\n", address.line2));
    }
    text.push_str(&format!(
        "{} {}\n{}\n\nFind your order at any time: {public_url}/order-status (order number and this email).\n",
        address.postal_code, address.city, address.country
    ));
    text
}

pub async fn queue_confirmation(
    connection: &mut PgConnection,
    order_id: i64,
    recipient: &str,
    number: &str,
    body_text: &str,
) -> Result<(), sqlx::Error> {
    crate::kernel::email::queue_email(
        connection,
        "order_confirmation",
        Some(order_id),
        recipient,
        &format!("Your order {number}"),
        body_text,
    )
    .await
}

/// What staff did to an order that its shopper is told about.
pub enum StatusNotice<'a> {
    Shipped {
        carrier: &'a str,
        tracking_number: &'a str,
    },
    Cancelled,
    /// One refund of `amount`, making `refunded` of the `paid` total in all.
    Refunded {
        amount: Money,
        refunded: Money,
        paid: Money,
    },
}

impl StatusNotice<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Self::Shipped { .. } => "order_shipped",
            Self::Cancelled => "order_cancelled",
            Self::Refunded { .. } => "order_refunded",
        }
    }

    fn subject(&self, number: &str) -> String {
        match self {
            Self::Shipped { .. } => format!("Your order {number} is on its way"),
            Self::Cancelled => format!("Your order {number} has been cancelled"),
            Self::Refunded { amount, .. } => format!("A refund of {amount} for order {number}"),
        }
    }

    /// Plain text, like the confirmation.
    fn text(&self, number: &str, public_url: &str) -> String {
        let news = match self {
            Self::Shipped {
                carrier,
                tracking_number,
            } => format!(
                "Your order {number} has been shipped.\n\nCarrier: {carrier}\nTracking number: {tracking_number}\n"
            ),
            Self::Cancelled => format!(
                "Your order {number} has been cancelled, and nothing from it will be shipped.\n\
                 If you have a question about it, contact the shop and quote the order number.\n"
            ),
            Self::Refunded {
                amount,
                refunded,
                paid,
            } => format!(
                "We have refunded {amount} of your order {number} ({refunded} of the {paid} \
                 you paid is refunded in all).\n\
                 Depending on how you paid, it can take a few days to reach your account.\n"
            ),
        };
        format!(
            "{news}\nFind your order at any time: {public_url}/order-status (order number and this email).\n"
        )
    }
}

/// Emails the order's shopper (`recipient`) about a change staff made, inside the caller's
/// transaction, so the email exists exactly when the change does.
pub async fn queue_status_notice(
    connection: &mut PgConnection,
    order_id: i64,
    number: &str,
    recipient: &str,
    notice: StatusNotice<'_>,
    public_url: &str,
) -> Result<(), sqlx::Error> {
    crate::kernel::email::queue_email(
        connection,
        notice.kind(),
        Some(order_id),
        recipient,
        &notice.subject(number),
        &notice.text(number, public_url),
    )
    .await
}
