//! What search engines are told exists: published products and the categories that lead
//! to them (a category with no published product anywhere below it is left out).

use crate::kernel::error::AppError;
use sqlx::PgPool;

/// The most addresses one sitemap file may list (the sitemaps protocol's limit).
pub const URLS_PER_SITEMAP: i64 = 50_000;

/// How many product sitemap files there are (at least one, possibly empty).
pub async fn product_sitemap_count(pool: &PgPool) -> Result<i64, AppError> {
    let published: i64 = sqlx::query_scalar("SELECT count(*) FROM products WHERE is_published")
        .fetch_one(pool)
        .await?;
    Ok(((published + URLS_PER_SITEMAP - 1) / URLS_PER_SITEMAP).max(1))
}

/// Slugs of the categories that hold a published product, themselves or below.
pub async fn category_slugs(pool: &PgPool) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "WITH RECURSIVE holding(id) AS (
             SELECT DISTINCT category_id FROM products WHERE is_published
             UNION
             SELECT c.parent_id FROM categories c JOIN holding h ON c.id = h.id
             WHERE c.parent_id IS NOT NULL)
         SELECT slug FROM categories WHERE id IN (SELECT id FROM holding) ORDER BY slug",
    )
    .fetch_all(pool)
    .await?)
}

/// The ids one product sitemap file covers (`page` from 1): from its first product's id
/// to the first id of the next file (`None`: to the end); `None` when the page is empty.
pub async fn product_page_bounds(
    pool: &PgPool,
    page: i64,
) -> Result<Option<(i64, Option<i64>)>, AppError> {
    let id_at = |offset: i64| {
        sqlx::query_scalar::<_, i64>(
            "SELECT id FROM products WHERE is_published ORDER BY id OFFSET $1 LIMIT 1",
        )
        .bind(offset)
        .fetch_optional(pool)
    };
    let offset = (page - 1).max(0) * URLS_PER_SITEMAP;
    let Some(first) = id_at(offset).await? else {
        return Ok(None);
    };
    Ok(Some((first, id_at(offset + URLS_PER_SITEMAP).await?)))
}

/// Up to `limit` published products with an id from `from` (included) to `before`
/// (excluded), in id order: id, slug and the day of the last change (`YYYY-MM-DD`).
pub async fn product_entries(
    pool: &PgPool,
    from: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, slug, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
         FROM products
         WHERE is_published AND id >= $1 AND ($2::bigint IS NULL OR id < $2)
         ORDER BY id LIMIT $3",
    )
    .bind(from)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
