//! Products as the integration API gives them: each with its variants (SKU, options,
//! price in minor units, stock), in the order they last changed.

use crate::audit::{record, snapshot, Actor, Change};
use crate::catalog::manage::editor::{self, Visibility};
use crate::catalog::manage::upsert::{self, CatalogRow, Problem};
use crate::integrations::cursor::{end_page, page_size, Cursor};
use crate::kernel::error::{AppError, FieldError};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiProduct {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The category's slug.
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

const PRODUCT_COLUMNS: &str =
    "p.id, p.change_xid::text::bigint AS xid, p.slug, p.name, p.description,
     c.slug AS category, p.currency, p.option_names, p.is_published,
     p.archived_at IS NOT NULL AS archived, p.updated_at";

async fn with_variants(pool: &PgPool, rows: Vec<ProductRow>) -> Result<Vec<ApiProduct>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let variants: Vec<(i64, String, Vec<String>, i64, i32)> = sqlx::query_as(
        "SELECT product_id, sku, option_values, price_minor, stock FROM product_variants
         WHERE product_id = ANY($1) ORDER BY product_id, position, id",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    Ok(rows
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
        .collect())
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
    let mut rows: Vec<ProductRow> = sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS}
         FROM products p JOIN categories c ON c.id = p.category_id
         WHERE p.change_xid < pg_snapshot_xmin(pg_current_snapshot())
           AND (p.change_xid, p.id) > ($1::text::xid8, $2)
           AND ($3::timestamptz IS NULL OR p.updated_at >= $3)
         ORDER BY p.change_xid, p.id LIMIT $4"
    ))
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
    Ok(ProductPage {
        products: with_variants(pool, rows).await?,
        next_cursor,
        has_more,
    })
}

/// One product by its slug.
pub async fn by_slug(pool: &PgPool, slug: &str) -> Result<ApiProduct, AppError> {
    let row: Option<ProductRow> = sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM products p JOIN categories c ON c.id = p.category_id
         WHERE p.slug = $1"
    ))
    .bind(slug)
    .fetch_optional(pool)
    .await?;
    let row = row.ok_or_else(no_such_product)?;
    Ok(with_variants(pool, vec![row]).await?.remove(0))
}

fn no_such_product() -> AppError {
    AppError::not_found("There is no product with this slug.")
}

/// A product as another system sends it: the product by its slug (in the path), its
/// variants by SKU. Variants the body leaves out stay as they are.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductUpsert {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// A category's slug.
    pub category: String,
    /// Left as it is when absent (new products get none); up to 20,000 characters.
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    /// Up to 3, e.g. ["Size", "Colour"]; a product keeps the ones it was created with.
    #[serde(default)]
    #[schema(max_items = 3)]
    pub option_names: Vec<String>,
    /// Left as it is when absent (new products start as drafts).
    pub published: Option<bool>,
    /// 1 to 100 variants.
    #[schema(min_items = 1, max_items = 100)]
    pub variants: Vec<VariantUpsert>,
}

#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantUpsert {
    /// Letters, digits and hyphens, up to 64; compared without case.
    #[schema(min_length = 1, max_length = 64)]
    pub sku: String,
    /// One value per option name.
    #[serde(default)]
    pub options: Vec<String>,
    /// 0 to 100,000,000,000 in the store currency's minor unit.
    #[schema(minimum = 0, maximum = 100_000_000_000_i64)]
    pub price_minor: i64,
    /// Sets the stock (the ledger records the change as `import`); left as it is when
    /// absent (new variants start at 0). `POST /api/v1/stock` is the idempotent way.
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub stock: Option<i32>,
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub low_stock_threshold: Option<i32>,
}

/// What `upsert` did.
pub struct Upserted {
    pub created: bool,
    pub product: ApiProduct,
}

/// The API's field for a problem of a variant's row.
fn field_of(field: &str, variant: usize) -> String {
    match field {
        "product_slug" => "slug".to_owned(),
        "product_name" => "name".to_owned(),
        "category_slug" => "category".to_owned(),
        "description" | "option_names" => field.to_owned(),
        "option_values" => format!("variants.{variant}.options"),
        "price" => format!("variants.{variant}.price_minor"),
        other => format!("variants.{variant}.{other}"),
    }
}

/// One field error per field (the product's fields repeat on every variant's row).
fn problems_as_fields(problems: &[(usize, Vec<Problem>)]) -> Vec<FieldError> {
    let mut fields: Vec<FieldError> = Vec::new();
    for (variant, row_problems) in problems {
        for problem in row_problems {
            let field = field_of(problem.field, *variant);
            if !fields.iter().any(|known| known.field == field) {
                fields.push(FieldError::new(field, problem.message.clone()));
            }
        }
    }
    fields
}

/// Creates or updates a product by slug and its variants by SKU, through the same checks
/// and writes as the CSV import, in one transaction with its audit entry (before and
/// after) and `product.updated` event.
pub async fn upsert(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    product: &ProductUpsert,
) -> Result<Upserted, AppError> {
    if product.variants.is_empty() || product.variants.len() > 100 {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "variants",
            "Send 1 to 100 variants.",
        )]));
    }
    let rows: Vec<CatalogRow> = product
        .variants
        .iter()
        .map(|variant| CatalogRow {
            sku: variant.sku.trim().to_uppercase(),
            product_slug: slug.to_owned(),
            product_name: product.name.trim().to_owned(),
            category_slug: product.category.trim().to_owned(),
            description: product.description.clone(),
            price_minor: variant.price_minor,
            stock: variant.stock,
            option_names: product
                .option_names
                .iter()
                .map(|n| n.trim().to_owned())
                .collect(),
            option_values: variant
                .options
                .iter()
                .map(|v| v.trim().to_owned())
                .collect(),
            low_stock_threshold: variant.low_stock_threshold,
            published: product.published,
        })
        .collect();
    let problems: Vec<(usize, Vec<Problem>)> = rows
        .iter()
        .enumerate()
        .map(|(index, row)| (index, row.problems()))
        .filter(|(_, problems)| !problems.is_empty())
        .collect();
    AppError::from_field_errors(problems_as_fields(&problems))?;
    let mut tx = pool.begin().await?;
    AppError::from_field_errors(problems_as_fields(
        &upsert::check_against_store(&mut tx, &rows).await?,
    ))?;
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await?;
    let before = match existing {
        Some(id) => editor::load(&mut tx, id).await?,
        None => None,
    };
    let reason = ("import", "integration API");
    let written = upsert::write(&mut tx, actor, "product.upsert", reason, &rows).await?;
    let id = *written.product_ids.first().ok_or(AppError::Internal)?;
    let after = editor::load(&mut tx, id).await?.ok_or(AppError::Internal)?;
    record(
        &mut tx,
        actor,
        Change {
            action: "product.upsert",
            entity_type: "product",
            entity_id: id.to_string(),
            before: before.as_ref().map(snapshot).transpose()?,
            after: Some(snapshot(&after)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Upserted {
        created: written.created_products == 1,
        product: by_slug(pool, slug).await?,
    })
}

/// Publishes or unpublishes a product, as the editor's buttons do (an archived product
/// is restored in the staff area first).
pub async fn set_published(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    published: bool,
) -> Result<ApiProduct, AppError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await?;
    let id = id.ok_or_else(no_such_product)?;
    let visibility = if published {
        Visibility::Publish
    } else {
        Visibility::Unpublish
    };
    editor::set_visibility(pool, actor, id, visibility).await?;
    by_slug(pool, slug).await
}
