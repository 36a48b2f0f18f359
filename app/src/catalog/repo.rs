//! Catalog SQL: every query the storefront runs against PostgreSQL.

use crate::catalog::model::{
    CategoryFacet, CategoryLink, Facets, Image, Page, PriceBandFacet, ProductCard, ProductDetail,
    SearchResults, Variant, PRICE_BANDS,
};
use crate::catalog::query::{SearchRequest, SortOrder, PAGE_SIZE};
use crate::kernel::error::AppError;
use crate::kernel::money::{CurrencyCode, Money};
use sqlx::PgPool;
use std::collections::HashMap;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CategoryRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
}

impl CategoryRow {
    pub fn link(&self) -> CategoryLink {
        CategoryLink {
            id: self.id,
            parent_id: self.parent_id,
            slug: self.slug.clone(),
            name: self.name.clone(),
        }
    }
}

/// All categories, ordered so that siblings keep the order staff gave them.
pub async fn all_categories(pool: &PgPool) -> Result<Vec<CategoryRow>, AppError> {
    Ok(sqlx::query_as::<_, CategoryRow>(
        "SELECT id, parent_id, slug, name, description, position
         FROM categories ORDER BY position, name, id",
    )
    .fetch_all(pool)
    .await?)
}

/// The tree of categories, with helpers to walk it.
pub struct CategoryTree {
    rows: Vec<CategoryRow>,
    index_by_id: HashMap<i64, usize>,
}

impl CategoryTree {
    pub fn new(rows: Vec<CategoryRow>) -> Self {
        let index_by_id = rows.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        Self { rows, index_by_id }
    }

    pub fn by_slug(&self, slug: &str) -> Option<&CategoryRow> {
        self.rows.iter().find(|c| c.slug == slug)
    }

    pub fn by_id(&self, id: i64) -> Option<&CategoryRow> {
        self.index_by_id.get(&id).map(|&i| &self.rows[i])
    }

    pub fn roots(&self) -> Vec<CategoryLink> {
        self.rows
            .iter()
            .filter(|c| c.parent_id.is_none())
            .map(CategoryRow::link)
            .collect()
    }

    pub fn all_links(&self) -> Vec<CategoryLink> {
        self.rows.iter().map(CategoryRow::link).collect()
    }

    pub fn children(&self, id: i64) -> Vec<CategoryLink> {
        self.rows
            .iter()
            .filter(|c| c.parent_id == Some(id))
            .map(CategoryRow::link)
            .collect()
    }

    /// The category and everything below it.
    pub fn subtree_ids(&self, id: i64) -> Vec<i64> {
        let mut ids = vec![id];
        let mut next = 0;
        while next < ids.len() {
            let parent = ids[next];
            ids.extend(
                self.rows
                    .iter()
                    .filter(|c| c.parent_id == Some(parent))
                    .map(|c| c.id),
            );
            next += 1;
        }
        ids
    }

    /// From the root down to this category (inclusive).
    pub fn path_to(&self, id: i64) -> Vec<CategoryLink> {
        let mut path = Vec::new();
        let mut current = self.by_id(id);
        while let Some(category) = current {
            if path.len() > self.rows.len() {
                break; // a cycle cannot be stored (CHECK + FK), but never loop forever
            }
            path.push(category.link());
            current = category.parent_id.and_then(|p| self.by_id(p));
        }
        path.reverse();
        path
    }
}

#[derive(sqlx::FromRow)]
struct CardRow {
    id: i64,
    slug: String,
    name: String,
    from_price_minor: i64,
    to_price_minor: i64,
    currency: String,
    category_id: i64,
    in_stock: bool,
    image_url: Option<String>,
    image_alt: Option<String>,
}

fn currency(code: &str) -> Result<CurrencyCode, AppError> {
    CurrencyCode::parse(code).map_err(|error| {
        tracing::error!(%error, "stored currency code is invalid");
        AppError::Internal
    })
}

impl CardRow {
    fn into_card(self) -> Result<ProductCard, AppError> {
        let image = match (self.image_url, self.image_alt) {
            (Some(url), Some(alt_text)) => Some(Image { url, alt_text }),
            _ => None,
        };
        Ok(ProductCard {
            id: self.id,
            slug: self.slug,
            name: self.name,
            from_price: Money::new(self.from_price_minor, currency(&self.currency)?),
            has_price_range: self.to_price_minor > self.from_price_minor,
            sale_price: None,
            category_id: self.category_id,
            in_stock: self.in_stock,
            image,
        })
    }
}

const CARD_SELECT: &str = "
    SELECT p.id, p.slug, p.name, p.from_price_minor, p.to_price_minor, p.currency, p.category_id,
           EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.stock > 0) AS in_stock,
           img.url AS image_url, img.alt_text AS image_alt
    FROM products p
    LEFT JOIN LATERAL (
        SELECT coalesce(i.thumbnail_url, i.url) AS url, i.alt_text FROM product_images i
        WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1
    ) img ON true";

fn order_by(sort: SortOrder) -> &'static str {
    match sort {
        SortOrder::Relevance => "rank DESC, id",
        SortOrder::Newest => "created_at DESC, id DESC",
        SortOrder::PriceLowToHigh => "from_price_minor ASC, id",
        SortOrder::PriceHighToLow => "from_price_minor DESC, id",
        SortOrder::Name => "name ASC, id",
    }
}

fn offset_of(page: u32) -> i64 {
    i64::from(page.saturating_sub(1)) * i64::from(PAGE_SIZE)
}

async fn cards(pool: &PgPool, sql: &str) -> Result<Vec<ProductCard>, AppError> {
    sqlx::query_as::<_, CardRow>(sql)
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(CardRow::into_card)
        .collect()
}

pub async fn featured_products(pool: &PgPool, limit: i64) -> Result<Vec<ProductCard>, AppError> {
    let sql =
        format!("{CARD_SELECT} WHERE p.is_published AND p.is_featured ORDER BY p.id LIMIT {limit}");
    cards(pool, &sql).await
}

pub async fn newest_products(pool: &PgPool, limit: i64) -> Result<Vec<ProductCard>, AppError> {
    let sql = format!(
        "{CARD_SELECT} WHERE p.is_published ORDER BY p.created_at DESC, p.id DESC LIMIT {limit}"
    );
    cards(pool, &sql).await
}

/// One page of the published products in these categories.
pub async fn products_in_categories(
    pool: &PgPool,
    category_ids: &[i64],
    sort: SortOrder,
    page: u32,
) -> Result<Page<ProductCard>, AppError> {
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM products WHERE is_published AND category_id = ANY($1)",
    )
    .bind(category_ids)
    .fetch_one(pool)
    .await?;
    let order = order_by(sort)
        .split(", ")
        .map(|term| format!("p.{term}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "{CARD_SELECT} WHERE p.is_published AND p.category_id = ANY($1)
         ORDER BY {order} LIMIT $2 OFFSET $3"
    );
    let items = sqlx::query_as::<_, CardRow>(&sql)
        .bind(category_ids)
        .bind(i64::from(PAGE_SIZE))
        .bind(offset_of(page))
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(CardRow::into_card)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        number: page,
        per_page: PAGE_SIZE,
        total_items: u64::try_from(total).unwrap_or(0),
    })
}

/// Turns what a shopper typed into a prefix-matching `tsquery`: every word must match,
/// the start of a word is enough ("shi" finds "shirt"). Only letters and digits pass, so
/// no tsquery operator typed by a shopper reaches PostgreSQL.
pub fn prefix_tsquery(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|term| !term.is_empty())
        .take(12)
        .map(|term| format!("{}:*", term.to_lowercase()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" & "))
}

#[derive(sqlx::FromRow)]
struct SearchSummaryRow {
    total: i64,
    in_stock_count: i64,
    facet_category_ids: Vec<i64>,
    facet_category_counts: Vec<i64>,
    band_counts: Vec<i64>,
    page_ids: Vec<i64>,
}

/// Full-text search with ranking, facet counts and one page of results.
///
/// Each facet counts the matches that pass every *other* filter, so a count says how many
/// results choosing that value would give.
pub async fn search_products(
    pool: &PgPool,
    tree: &CategoryTree,
    request: &SearchRequest,
) -> Result<SearchResults, AppError> {
    let Some(tsquery) = prefix_tsquery(&request.text) else {
        return Ok(SearchResults {
            products: Page {
                items: vec![],
                number: request.page,
                per_page: PAGE_SIZE,
                total_items: 0,
            },
            facets: Facets::default(),
        });
    };
    let category_filter: Option<Vec<i64>> = request.category_slug.as_ref().map(|slug| {
        tree.by_slug(slug)
            .map(|c| tree.subtree_ids(c.id))
            .unwrap_or_default()
    });
    let band_mins: Vec<i64> = PRICE_BANDS.iter().map(|b| b.min_minor).collect();
    let band_maxes: Vec<Option<i64>> = PRICE_BANDS.iter().map(|b| b.max_minor).collect();
    let sql = format!(
        "WITH matched AS MATERIALIZED (
             SELECT p.id, p.category_id, p.name, p.created_at, p.from_price_minor,
                    EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.stock > 0) AS in_stock,
                    ts_rank(p.search_document, query) AS rank
             FROM products p, to_tsquery('english', $1) AS query
             WHERE p.is_published AND p.search_document @@ query
         ), flagged AS MATERIALIZED (
             SELECT m.*,
                    ($2::bigint[] IS NULL OR m.category_id = ANY($2)) AS category_ok,
                    (($3::bigint IS NULL OR m.from_price_minor >= $3)
                      AND ($4::bigint IS NULL OR m.from_price_minor <= $4)) AS price_ok,
                    (NOT $5 OR m.in_stock) AS stock_ok
             FROM matched m
         ), per_category AS (
             SELECT category_id, count(*) AS n FROM flagged
             WHERE price_ok AND stock_ok GROUP BY category_id
         ), per_band AS (
             SELECT b.idx, count(f.id) AS n
             FROM unnest($6::bigint[], $7::bigint[]) WITH ORDINALITY AS b(lo, hi, idx)
             LEFT JOIN flagged f ON f.category_ok AND f.stock_ok
                  AND f.from_price_minor >= b.lo AND (b.hi IS NULL OR f.from_price_minor <= b.hi)
             GROUP BY b.idx
         ), page AS (
             SELECT id, row_number() OVER (ORDER BY {order}) AS ordinal FROM flagged
             WHERE category_ok AND price_ok AND stock_ok
             ORDER BY {order} LIMIT $8 OFFSET $9
         )
         SELECT
             (SELECT count(*) FROM flagged WHERE category_ok AND price_ok AND stock_ok) AS total,
             (SELECT count(*) FROM flagged WHERE category_ok AND price_ok AND in_stock) AS in_stock_count,
             COALESCE((SELECT array_agg(category_id ORDER BY category_id) FROM per_category), '{{}}') AS facet_category_ids,
             COALESCE((SELECT array_agg(n ORDER BY category_id) FROM per_category), '{{}}') AS facet_category_counts,
             COALESCE((SELECT array_agg(n ORDER BY idx) FROM per_band), '{{}}') AS band_counts,
             COALESCE((SELECT array_agg(id ORDER BY ordinal) FROM page), '{{}}') AS page_ids",
        order = order_by(request.sort),
    );
    let summary = sqlx::query_as::<_, SearchSummaryRow>(&sql)
        .bind(&tsquery)
        .bind(category_filter)
        .bind(request.price_min_minor)
        .bind(request.price_max_minor)
        .bind(request.in_stock_only)
        .bind(&band_mins)
        .bind(&band_maxes)
        .bind(i64::from(PAGE_SIZE))
        .bind(offset_of(request.page))
        .fetch_one(pool)
        .await?;

    let items = cards_in_order(pool, &summary.page_ids).await?;
    let mut categories: Vec<CategoryFacet> = summary
        .facet_category_ids
        .iter()
        .zip(&summary.facet_category_counts)
        .filter_map(|(id, count)| {
            tree.by_id(*id).map(|c| CategoryFacet {
                slug: c.slug.clone(),
                name: c.name.clone(),
                count: u64::try_from(*count).unwrap_or(0),
            })
        })
        .collect();
    categories.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    let price_bands = PRICE_BANDS
        .iter()
        .zip(summary.band_counts.iter().chain(std::iter::repeat(&0)))
        .map(|(band, count)| PriceBandFacet {
            band: *band,
            count: u64::try_from(*count).unwrap_or(0),
        })
        .collect();
    Ok(SearchResults {
        products: Page {
            items,
            number: request.page,
            per_page: PAGE_SIZE,
            total_items: u64::try_from(summary.total).unwrap_or(0),
        },
        facets: Facets {
            categories,
            price_bands,
            in_stock: u64::try_from(summary.in_stock_count).unwrap_or(0),
        },
    })
}

/// Cards for these product ids, in the order given.
async fn cards_in_order(pool: &PgPool, ids: &[i64]) -> Result<Vec<ProductCard>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{CARD_SELECT} WHERE p.id = ANY($1)");
    let mut rows = sqlx::query_as::<_, CardRow>(&sql)
        .bind(ids)
        .fetch_all(pool)
        .await?;
    let position: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|row| position.get(&row.id).copied().unwrap_or(usize::MAX));
    rows.into_iter().map(CardRow::into_card).collect()
}

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    category_id: i64,
    currency: String,
    option_names: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct VariantRow {
    id: i64,
    sku: String,
    option_values: Vec<String>,
    price_minor: i64,
    stock: i32,
}

/// A published product with its variants and images, or `None`.
pub async fn product_by_slug(
    pool: &PgPool,
    tree: &CategoryTree,
    slug: &str,
) -> Result<Option<ProductDetail>, AppError> {
    let Some(product) = sqlx::query_as::<_, ProductRow>(
        "SELECT id, slug, name, description, category_id, currency, option_names
         FROM products WHERE slug = $1 AND is_published",
    )
    .bind(slug)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let currency = currency(&product.currency)?;
    let variants = sqlx::query_as::<_, VariantRow>(
        "SELECT id, sku, option_values, price_minor, stock FROM product_variants
         WHERE product_id = $1 ORDER BY position, id",
    )
    .bind(product.id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|v| Variant {
        id: v.id,
        sku: v.sku,
        option_values: v.option_values,
        price: Money::new(v.price_minor, currency.clone()),
        sale_price: None,
        stock: v.stock,
    })
    .collect();
    let images = sqlx::query_as::<_, (String, String)>(
        "SELECT url, alt_text FROM product_images WHERE product_id = $1 ORDER BY position, id",
    )
    .bind(product.id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(url, alt_text)| Image { url, alt_text })
    .collect();
    Ok(Some(ProductDetail {
        id: product.id,
        slug: product.slug,
        name: product.name,
        category_id: product.category_id,
        description: product.description,
        breadcrumbs: tree.path_to(product.category_id),
        option_names: product.option_names,
        variants,
        images,
    }))
}
