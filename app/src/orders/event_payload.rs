//! What order events carry (webhooks and the integration API's event feed): the whole
//! order as it is inside the transaction that changed it, lines with SKU, quantity and
//! prices, the shipping address, totals and payment, so a warehouse needs no second call.
//! Not the shopper's email: a key with `orders:read` reads it from the API. Erasing a
//! customer removes the order from their stored events (`accounts::gdpr`).

use sqlx::PgConnection;

/// The order `order_id` as a JSON object (amounts in minor units).
pub async fn order_details(
    connection: &mut PgConnection,
    order_id: i64,
) -> Result<serde_json::Value, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT json_build_object(
             'number', o.number, 'status', o.status, 'currency', o.currency,
             'subtotal_minor', o.subtotal_minor, 'shipping_minor', o.shipping_minor,
             'tax_minor', o.tax_minor, 'total_minor', o.total_minor,
             'refunded_minor', o.refunded_minor, 'prices_include_tax', o.prices_include_tax,
             'placed_at', o.placed_at,
             'shipping_address', json_build_object(
                 'name', o.ship_name, 'line1', o.ship_line1, 'line2', o.ship_line2,
                 'city', o.ship_city, 'postal_code', o.ship_postal_code, 'country', o.ship_country),
             'shipping_method', o.shipping_method,
             'payment', json_build_object('provider', o.payment_provider, 'reference', o.payment_reference),
             'shipment', CASE WHEN o.carrier IS NULL THEN NULL
                         ELSE json_build_object('carrier', o.carrier, 'tracking_number', o.tracking_number) END,
             'lines', coalesce((
                 SELECT json_agg(json_build_object(
                     'sku', l.sku, 'product_name', l.product_name, 'options', l.option_values,
                     'quantity', l.quantity, 'unit_price_minor', l.unit_price_minor,
                     'line_total_minor', l.line_total_minor, 'tax_rate_bp', l.tax_rate_bp,
                     'tax_minor', l.tax_minor) ORDER BY l.id)
                 FROM order_lines l WHERE l.order_id = o.id), '[]'::json))::jsonb
         FROM orders o WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_one(connection)
    .await
}

/// `payload` (an object) with the whole order added as `order`.
pub async fn with_order(
    connection: &mut PgConnection,
    order_id: i64,
    mut payload: serde_json::Value,
) -> Result<serde_json::Value, sqlx::Error> {
    let order = order_details(connection, order_id).await?;
    if let Some(fields) = payload.as_object_mut() {
        fields.insert("order".to_owned(), order);
    }
    Ok(payload)
}
