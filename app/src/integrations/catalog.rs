//! Products as the integration API gives them: each with its variants (SKU, options,
//! price in minor units, stock), in the order they last changed.

use crate::integrations::cursor::{end_page, page_size, Cursor};
use crate::kernel::error::AppError;
use serde::Serialize;
use sqlx::PgPool;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiProduct {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub category: String,
    /// ISO 4217; prices are in its minor unit.
    pub currency: String,
    /// The names of the options variants differ by, e.g. ["Size", "Colour"].
    pub option_names: Vec<String>,
    pub published: bool,
    pub archived: bool,
    /// RFC 3339: the last change of the product or a variant's price.
    pub updated_at: String,
    pub variants: Vec<ApiVariant>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiVariant {
    pub sku: String,
    /// One value per option name.
    pub options: Vec<String>,
    pub price_minor: i64,
    pub stock: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProductPage {
    pub products: Vec<ApiProduct>,
    /// Pass as `cursor` for the next page (or, kept, to poll for changes).
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: i64,
    xid: i64,
    slug: String,
    name: String,
    description: String,
    category: String,
    currency: String,
    option_names: Vec<String>,
    is_published: bool,
    archived: bool,
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// A page of products, oldest change first; `updated_since` keeps only later changes.
pub async fn list(
    pool: &PgPool,
    cursor: Option<&str>,
    limit: Option<i64>,
    updated_since: Option<&str>,
) -> Result<ProductPage, AppError> {
    let limit = page_size(limit)?;
    let since = updated_since
        .map(|text| crate::integrations::orders::parse_time("updated_since", text))
        .transpose()?;
    let requested = cursor.map(Cursor::parse).transpose()?;
    let after = requested.unwrap_or_default();
    let mut rows: Vec<ProductRow> = sqlx::query_as(
        "SELECT p.id, p.change_xid::text::bigint AS xid, p.slug, p.name, p.description,
                c.name AS category, p.currency, p.option_names, p.is_published,
                p.archived_at IS NOT NULL AS archived, p.updated_at
         FROM products p JOIN categories c ON c.id = p.category_id
         WHERE p.change_xid < pg_snapshot_xmin(pg_current_snapshot())
           AND (p.change_xid, p.id) > ($1::text::xid8, $2)
           AND ($3::timestamptz IS NULL OR p.updated_at >= $3)
         ORDER BY p.change_xid, p.id LIMIT $4",
    )
    .bind(after.xid.to_string())
    .bind(after.id)
    .bind(since)
    .bind(limit + 1)
    .fetch_all(pool)
    .await?;
    let (next_cursor, has_more) = end_page(
        &mut rows,
        limit,
        |row| Cursor {
            xid: row.xid,
            id: row.id,
        },
        requested,
    );
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let variants: Vec<(i64, String, Vec<String>, i64, i32)> = sqlx::query_as(
        "SELECT product_id, sku, option_values, price_minor, stock FROM product_variants
         WHERE product_id = ANY($1) ORDER BY product_id, position, id",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    Ok(ProductPage {
        products: rows
            .into_iter()
            .map(|row| ApiProduct {
                variants: variants
                    .iter()
                    .filter(|v| v.0 == row.id)
                    .map(|(_, sku, options, price_minor, stock)| ApiVariant {
                        sku: sku.clone(),
                        options: options.clone(),
                        price_minor: *price_minor,
                        stock: *stock,
                    })
                    .collect(),
                id: row.id,
                slug: row.slug,
                name: row.name,
                description: row.description,
                category: row.category,
                currency: row.currency,
                option_names: row.option_names,
                published: row.is_published,
                archived: row.archived,
                updated_at: row.updated_at.to_rfc3339(),
            })
            .collect(),
        next_cursor,
        has_more,
    })
}
