//! Creating, editing, publishing and archiving products, and the staff product list.
//! Each change is one transaction with its audit record and its `product.updated` event.

use crate::audit::{record, snapshot, Actor, Change};
use crate::catalog::manage::model::{
    name_and_slug, CategoryChoice, EditorData, ImageSnapshot, ProductFilter, ProductForm,
    ProductList, ProductRow, ProductSnapshot, ProductState, ProductStatusFilter, VariantForm,
    VariantSnapshot,
};
use crate::kernel::error::{AppError, FieldError};
use crate::kernel::money::store_currency;
use crate::kernel::money::{format_minor, CurrencyCode, Money};
use sqlx::{PgConnection, PgPool};
use std::collections::HashSet;

const MAX_OPTIONS: usize = 3;
const MAX_VARIANTS: usize = 100;
const MAX_STOCK: i32 = 1_000_000;

/// A product form that passed every check.
#[derive(Debug)]
struct CheckedProduct {
    id: Option<i64>,
    version: String,
    name: String,
    slug: String,
    description: String,
    category_id: i64,
    weight_grams: i32,
    tax_category_id: Option<i64>,
    option_names: Vec<String>,
    is_published: bool,
    is_featured: bool,
    variants: Vec<CheckedVariant>,
    removed: Vec<i64>,
}

#[derive(Debug)]
struct CheckedVariant {
    /// The row of the form it came from, for naming its fields in errors.
    form_index: usize,
    id: Option<i64>,
    sku: String,
    option_values: Vec<String>,
    price_minor: i64,
    stock: i32,
    low_stock_threshold: i32,
}

fn split_list(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split(',').map(|part| part.trim().to_owned()).collect()
}

fn whole_number(text: &str, empty: i32) -> Option<i32> {
    let text = text.trim();
    if text.is_empty() {
        return Some(empty);
    }
    text.parse().ok().filter(|n| (0..=MAX_STOCK).contains(n))
}

/// Checks everything at once, so the editor can show every problem next to its field.
fn check(form: &ProductForm, currency: &CurrencyCode) -> Result<CheckedProduct, AppError> {
    let mut errors = Vec::new();
    let id = match form.id.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| AppError::invalid("The form is out of date: reload the page."))?,
        ),
    };
    let (name, slug) = name_and_slug(&form.name, &form.slug, 200, &mut errors);
    let description = form.description.trim().to_owned();
    if description.chars().count() > 20_000 {
        errors.push(FieldError::new(
            "description",
            "Keep the description under 20,000 characters.",
        ));
    }
    let category_id = form.category_id.trim().parse::<i64>().unwrap_or(0);
    if category_id <= 0 {
        errors.push(FieldError::new("category_id", "Choose a category."));
    }
    let weight_grams = match form.weight.trim() {
        "" => 0,
        text => crate::pricing::model::parse_grams(text)
            .ok()
            .and_then(|grams| i32::try_from(grams).ok())
            .unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "weight",
                    "Enter the packed weight in grams (1500) or kilograms (1.5 kg), up to 1,000 kg.",
                ));
                0
            }),
    };
    let tax_category_id = match form.tax_category_id.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.push(FieldError::new(
                    "tax_category_id",
                    "Choose a tax category from the list.",
                ));
                None
            }
        },
    };
    let option_names = split_list(&form.option_names);
    let distinct: HashSet<String> = option_names.iter().map(|n| n.to_lowercase()).collect();
    if option_names.len() > MAX_OPTIONS
        || distinct.len() != option_names.len()
        || option_names
            .iter()
            .any(|n| !(1..=50).contains(&n.chars().count()))
    {
        errors.push(FieldError::new(
            "option_names",
            "List up to 3 different option names separated by commas, e.g. Size, Colour.",
        ));
    }
    let mut variants = Vec::new();
    let mut removed = Vec::new();
    let mut skus = HashSet::new();
    let mut combinations = HashSet::new();
    let rows: Vec<(usize, &VariantForm)> = form
        .variants
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_blank())
        .collect();
    if rows.len() > MAX_VARIANTS {
        errors.push(FieldError::new(
            "variants",
            "A product has at most 100 variants.",
        ));
    }
    for (index, variant) in rows {
        let field = |name: &str| format!("variants.{index}.{name}");
        let variant_id = match variant.id.trim() {
            "" => None,
            text => Some(
                text.parse::<i64>()
                    .map_err(|_| AppError::invalid("The form is out of date: reload the page."))?,
            ),
        };
        if variant.remove.is_some() {
            if let Some(variant_id) = variant_id {
                removed.push(variant_id);
            }
            continue;
        }
        let parsed_sku = crate::kernel::sku::Sku::parse(&variant.sku);
        let sku = parsed_sku
            .as_ref()
            .map_or_else(|_| variant.sku.trim().to_uppercase(), |sku| sku.to_string());
        if parsed_sku.is_err() {
            errors.push(FieldError::new(
                field("sku"),
                "Use letters, digits and hyphens, up to 64, starting with a letter or digit.",
            ));
        } else if !skus.insert(sku.clone()) {
            errors.push(FieldError::new(
                field("sku"),
                "Another variant of this form has this SKU.",
            ));
        }
        let option_values = split_list(&variant.options);
        if option_values.len() != option_names.len()
            || option_values
                .iter()
                .any(|v| !(1..=50).contains(&v.chars().count()))
        {
            errors.push(FieldError::new(
                field("options"),
                if option_names.is_empty() {
                    "This product has no options: leave this empty.".to_owned()
                } else {
                    format!(
                        "Give one value for each option ({}), separated by commas.",
                        option_names.join(", ")
                    )
                },
            ));
        } else if !combinations.insert(
            option_values
                .iter()
                .map(|v| v.to_lowercase())
                .collect::<Vec<_>>(),
        ) {
            errors.push(FieldError::new(
                field("options"),
                "Another variant has the same options.",
            ));
        }
        let price_minor = match Money::parse_major(&variant.price, currency) {
            Ok(money) => money.minor_units,
            Err(error) => {
                errors.push(FieldError::new(field("price"), format!("Price: {error}.")));
                0
            }
        };
        let stock = if variant_id.is_some() {
            0
        } else {
            whole_number(&variant.stock, 0).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    field("stock"),
                    "Enter a whole number from 0 to 1,000,000.",
                ));
                0
            })
        };
        let low_stock_threshold =
            whole_number(&variant.low_stock_threshold, 5).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    field("low_stock_threshold"),
                    "Enter a whole number from 0 to 1,000,000.",
                ));
                0
            });
        variants.push(CheckedVariant {
            form_index: index,
            id: variant_id,
            sku,
            option_values,
            price_minor,
            stock,
            low_stock_threshold,
        });
    }
    if variants.is_empty() {
        errors.push(FieldError::new(
            "variants",
            "Add at least one variant with a SKU and a price.",
        ));
    }
    AppError::from_field_errors(errors)?;
    Ok(CheckedProduct {
        id,
        version: form.version.trim().to_owned(),
        name,
        slug,
        description,
        category_id,
        weight_grams,
        tax_category_id,
        option_names,
        is_published: form.published.is_some(),
        is_featured: form.featured.is_some(),
        variants,
        removed,
    })
}

/// Conflicts only the database can see: slug or SKUs taken by other products, a category
/// that does not exist.
async fn check_against_catalog(
    connection: &mut PgConnection,
    product: &CheckedProduct,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let category: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM categories WHERE id = $1)")
            .bind(product.category_id)
            .fetch_one(&mut *connection)
            .await?;
    if !category {
        errors.push(FieldError::new(
            "category_id",
            "Choose a category from the list.",
        ));
    }
    if let Some(class) = product.tax_category_id {
        let known: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tax_categories WHERE id = $1)")
                .bind(class)
                .fetch_one(&mut *connection)
                .await?;
        if !known {
            errors.push(FieldError::new(
                "tax_category_id",
                "Choose a tax category from the list.",
            ));
        }
    }
    let slug_taken: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM products WHERE slug = $1 AND id IS DISTINCT FROM $2)",
    )
    .bind(&product.slug)
    .bind(product.id)
    .fetch_one(&mut *connection)
    .await?;
    if slug_taken {
        errors.push(FieldError::new(
            "slug",
            "Another product has this address; choose another.",
        ));
    }
    let skus: Vec<String> = product.variants.iter().map(|v| v.sku.clone()).collect();
    let taken: Vec<String> = sqlx::query_scalar(
        "SELECT sku FROM product_variants WHERE sku = ANY($1) AND product_id IS DISTINCT FROM $2",
    )
    .bind(&skus)
    .bind(product.id)
    .fetch_all(&mut *connection)
    .await?;
    for variant in &product.variants {
        if taken.contains(&variant.sku) {
            errors.push(FieldError::new(
                format!("variants.{}.sku", variant.form_index),
                format!("{} is another product's SKU.", variant.sku),
            ));
        }
    }
    AppError::from_field_errors(errors)
}

/// Reads a product as stored, for the audit log, the event and the editor.
pub async fn load(
    connection: &mut PgConnection,
    id: i64,
) -> Result<Option<ProductSnapshot>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        slug: String,
        name: String,
        description: String,
        category_id: i64,
        weight_grams: i32,
        tax_category_id: Option<i64>,
        option_names: Vec<String>,
        is_published: bool,
        is_featured: bool,
        archived: bool,
        currency: String,
        version: String,
    }
    let Some(row) = sqlx::query_as::<_, Row>(
        "SELECT id, slug, name, description, category_id, weight_grams, tax_category_id,
                option_names, is_published, is_featured,
                archived_at IS NOT NULL AS archived, currency,
                (extract(epoch FROM updated_at) * 1000000)::bigint::text AS version
         FROM products WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *connection)
    .await?
    else {
        return Ok(None);
    };
    let variants: Vec<(i64, String, Vec<String>, i64, i32, i32)> = sqlx::query_as(
        "SELECT id, sku, option_values, price_minor, stock, low_stock_threshold
         FROM product_variants WHERE product_id = $1 ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(&mut *connection)
    .await?;
    let images: Vec<(i64, String, Option<String>, String)> = sqlx::query_as(
        "SELECT id, url, thumbnail_url, alt_text FROM product_images WHERE product_id = $1 ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(&mut *connection)
    .await?;
    Ok(Some(ProductSnapshot {
        images: images
            .into_iter()
            .map(|(id, url, thumbnail_url, alt_text)| ImageSnapshot {
                id,
                url,
                thumbnail_url,
                alt_text,
            })
            .collect(),
        id: row.id,
        slug: row.slug,
        name: row.name,
        description: row.description,
        category_id: row.category_id,
        weight_grams: row.weight_grams,
        tax_category_id: row.tax_category_id,
        option_names: row.option_names,
        is_published: row.is_published,
        is_featured: row.is_featured,
        archived: row.archived,
        currency: row.currency,
        version: row.version,
        variants: variants
            .into_iter()
            .map(
                |(id, sku, option_values, price_minor, stock, low_stock_threshold)| {
                    VariantSnapshot {
                        id,
                        sku,
                        option_values,
                        price_minor,
                        stock,
                        low_stock_threshold,
                    }
                },
            )
            .collect(),
    }))
}

/// Creates or updates a product from the editor; returns its id.
pub async fn save(pool: &PgPool, actor: &Actor, form: &ProductForm) -> Result<i64, AppError> {
    let currency = store_currency();
    let product = check(form, &currency)?;
    let mut tx = pool.begin().await?;
    let before = match product.id {
        Some(id) => {
            sqlx::query("SELECT 1 FROM products WHERE id = $1 FOR UPDATE")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let before = load(&mut tx, id)
                .await?
                .ok_or_else(|| AppError::not_found("There is no such product."))?;
            if before.version != product.version {
                return Err(AppError::invalid(
                    "Someone changed this product since you opened it. Reload to see their change, then make yours again.",
                ));
            }
            Some(before)
        }
        None => None,
    };
    check_against_catalog(&mut tx, &product).await?;
    if let Some(before) = &before {
        let unknown = product
            .variants
            .iter()
            .filter_map(|v| v.id)
            .chain(product.removed.iter().copied())
            .any(|id| !before.variants.iter().any(|v| v.id == id));
        if unknown {
            return Err(AppError::invalid(
                "The form is out of date: reload the page.",
            ));
        }
    }
    let archived = before.as_ref().is_some_and(|b| b.archived);
    let published = product.is_published && !archived;
    let id: i64 = match product.id {
        Some(id) => {
            sqlx::query(
                "UPDATE products SET category_id = $2, slug = $3, name = $4, description = $5,
                     option_names = $6, is_featured = $7, is_published = $8, weight_grams = $9,
                     tax_category_id = $10, updated_at = now()
                 WHERE id = $1",
            )
            .bind(id)
            .bind(product.category_id)
            .bind(&product.slug)
            .bind(&product.name)
            .bind(&product.description)
            .bind(&product.option_names)
            .bind(product.is_featured)
            .bind(published)
            .bind(product.weight_grams)
            .bind(product.tax_category_id)
            .execute(&mut *tx)
            .await
            .map_err(constraint_error)?;
            id
        }
        None => sqlx::query_scalar(
            "INSERT INTO products (category_id, slug, name, description, currency, option_names,
                                       is_featured, is_published, weight_grams, tax_category_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(product.category_id)
        .bind(&product.slug)
        .bind(&product.name)
        .bind(&product.description)
        .bind(currency.as_str())
        .bind(&product.option_names)
        .bind(product.is_featured)
        .bind(published)
        .bind(product.weight_grams)
        .bind(product.tax_category_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(constraint_error)?,
    };
    if !product.removed.is_empty() {
        sqlx::query("DELETE FROM product_variants WHERE product_id = $1 AND id = ANY($2)")
            .bind(id)
            .bind(&product.removed)
            .execute(&mut *tx)
            .await
            .map_err(constraint_error)?;
    }
    // SKUs move between variants of one product in two steps, so a swap never collides.
    sqlx::query("UPDATE product_variants SET sku = 'RENAMING-' || id WHERE product_id = $1 AND id = ANY($2)")
        .bind(id)
        .bind(product.variants.iter().filter_map(|v| v.id).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
    crate::inventory::ledger::name_reason(
        &mut tx,
        "opening",
        "new variant in the editor",
        Some(actor.id),
        None,
    )
    .await?;
    for (position, variant) in product.variants.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        match variant.id {
            Some(variant_id) => {
                sqlx::query(
                    "UPDATE product_variants SET sku = $3, option_values = $4, price_minor = $5,
                         low_stock_threshold = $6, position = $7
                     WHERE id = $1 AND product_id = $2",
                )
                .bind(variant_id)
                .bind(id)
                .bind(&variant.sku)
                .bind(&variant.option_values)
                .bind(variant.price_minor)
                .bind(variant.low_stock_threshold)
                .bind(position)
                .execute(&mut *tx)
                .await
                .map_err(constraint_error)?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO product_variants (product_id, sku, option_values, price_minor, stock, low_stock_threshold, position)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(&variant.sku)
                .bind(&variant.option_values)
                .bind(variant.price_minor)
                .bind(variant.stock)
                .bind(variant.low_stock_threshold)
                .bind(position)
                .execute(&mut *tx)
                .await
                .map_err(constraint_error)?;
            }
        }
    }
    let after = load(&mut tx, id).await?.ok_or(AppError::Internal)?;
    let action = if before.is_some() {
        "product.update"
    } else {
        "product.create"
    };
    finish_change(&mut tx, actor, action, before, after).await?;
    tx.commit().await?;
    Ok(id)
}

/// A constraint the pre-checks could not see (a concurrent save took the slug or SKU)
/// becomes an error the editor can show; anything else is internal.
fn constraint_error(error: sqlx::Error) -> AppError {
    crate::kernel::db::constraint_error(
        error,
        &[
            ("products_slug_key", || {
                AppError::InvalidFields(vec![FieldError::new(
                    "slug",
                    "Another product has this address; choose another.",
                )])
            }),
            ("product_variants_sku_key", || {
                AppError::invalid(
                    "Another product has one of these SKUs; change it and save again.",
                )
            }),
        ],
    )
}

/// Audits a change and tells webhook subscribers, inside its transaction.
async fn finish_change(
    connection: &mut PgConnection,
    actor: &Actor,
    action: &str,
    before: Option<ProductSnapshot>,
    after: ProductSnapshot,
) -> Result<(), AppError> {
    let id = after.id;
    let after = snapshot(&after)?;
    let payload = serde_json::json!({ "action": action, "product": after.clone() });
    record(
        &mut *connection,
        actor,
        Change {
            action,
            entity_type: "product",
            entity_id: id.to_string(),
            before: before.as_ref().map(snapshot).transpose()?,
            after: Some(after),
        },
    )
    .await?;
    crate::webhooks::outbox::emit(connection, "product.updated", payload).await?;
    Ok(())
}

/// Checks an image's alt text: every image needs one, for people who cannot see it.
pub fn check_alt_text(alt_text: &str) -> Result<String, AppError> {
    let alt_text = alt_text.trim();
    if (1..=300).contains(&alt_text.chars().count()) && !alt_text.chars().any(char::is_control) {
        Ok(alt_text.to_owned())
    } else {
        Err(AppError::InvalidFields(vec![FieldError::new(
            "alt_text",
            "Describe the image for people who cannot see it (up to 300 characters).",
        )]))
    }
}

/// Adds a stored image (and its thumbnail) to the end of the product's gallery.
pub async fn add_image(
    pool: &PgPool,
    actor: &Actor,
    product_id: i64,
    url: &str,
    thumbnail_url: &str,
    alt_text: &str,
) -> Result<i64, AppError> {
    let alt_text = check_alt_text(alt_text)?;
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT 1 FROM products WHERE id = $1 FOR UPDATE")
        .bind(product_id)
        .execute(&mut *tx)
        .await?;
    let before = load(&mut tx, product_id)
        .await?
        .ok_or_else(|| AppError::not_found("There is no such product."))?;
    let image_id: i64 = sqlx::query_scalar(
        "INSERT INTO product_images (product_id, url, thumbnail_url, alt_text, position)
         VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position) + 1, 0) FROM product_images WHERE product_id = $1))
         RETURNING id",
    )
    .bind(product_id)
    .bind(url)
    .bind(thumbnail_url)
    .bind(&alt_text)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE products SET updated_at = now() WHERE id = $1")
        .bind(product_id)
        .execute(&mut *tx)
        .await?;
    let after = load(&mut tx, product_id).await?.ok_or(AppError::Internal)?;
    finish_change(&mut tx, actor, "product.add_image", Some(before), after).await?;
    tx.commit().await?;
    Ok(image_id)
}

/// Removes an image from its product's gallery (the files stay: orders and caches may
/// still point at them).
pub async fn remove_image(pool: &PgPool, actor: &Actor, image_id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let product_id: Option<i64> =
        sqlx::query_scalar("SELECT product_id FROM product_images WHERE id = $1")
            .bind(image_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(product_id) = product_id else {
        return Ok(());
    };
    sqlx::query("SELECT 1 FROM products WHERE id = $1 FOR UPDATE")
        .bind(product_id)
        .execute(&mut *tx)
        .await?;
    let before = load(&mut tx, product_id).await?.ok_or(AppError::Internal)?;
    sqlx::query("DELETE FROM product_images WHERE id = $1")
        .bind(image_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE products SET updated_at = now() WHERE id = $1")
        .bind(product_id)
        .execute(&mut *tx)
        .await?;
    let after = load(&mut tx, product_id).await?.ok_or(AppError::Internal)?;
    finish_change(&mut tx, actor, "product.remove_image", Some(before), after).await?;
    tx.commit().await?;
    Ok(())
}

/// What publishing buttons do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Publish,
    Unpublish,
    Archive,
    Restore,
}

impl Visibility {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "publish" => Some(Visibility::Publish),
            "unpublish" => Some(Visibility::Unpublish),
            "archive" => Some(Visibility::Archive),
            "restore" => Some(Visibility::Restore),
            _ => None,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Visibility::Publish => "product.publish",
            Visibility::Unpublish => "product.unpublish",
            Visibility::Archive => "product.archive",
            Visibility::Restore => "product.restore",
        }
    }
}

/// Publishes, unpublishes, archives (off the storefront and the default list, nothing
/// deleted) or restores a product. Doing what is already done changes nothing.
pub async fn set_visibility(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
    visibility: Visibility,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT 1 FROM products WHERE id = $1 FOR UPDATE")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let before = load(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("There is no such product."))?;
    let (published, archived) = match visibility {
        Visibility::Publish if before.archived => {
            return Err(AppError::invalid(
                "Restore the product from the archive before publishing it.",
            ))
        }
        Visibility::Publish => (true, false),
        Visibility::Unpublish => (false, before.archived),
        Visibility::Archive => (false, true),
        Visibility::Restore => (false, false),
    };
    if (published, archived) == (before.is_published, before.archived) {
        return Ok(());
    }
    sqlx::query(
        "UPDATE products SET is_published = $2,
             archived_at = CASE WHEN $3 THEN coalesce(archived_at, now()) END, updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(published)
    .bind(archived)
    .execute(&mut *tx)
    .await?;
    let after = load(&mut tx, id).await?.ok_or(AppError::Internal)?;
    finish_change(&mut tx, actor, visibility.action(), Some(before), after).await?;
    tx.commit().await?;
    Ok(())
}

/// Categories for the editor, each with its path from the root.
pub async fn category_choices(pool: &PgPool) -> Result<Vec<CategoryChoice>, AppError> {
    let tree =
        crate::catalog::repo::CategoryTree::new(crate::catalog::repo::all_categories(pool).await?);
    let mut choices: Vec<CategoryChoice> = tree
        .all_links()
        .into_iter()
        .map(|link| {
            let id = link.id;
            CategoryChoice {
                id,
                path: tree
                    .path_to(id)
                    .into_iter()
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join(" › "),
            }
        })
        .collect();
    choices.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(choices)
}

pub async fn editor_data(pool: &PgPool, id: Option<i64>) -> Result<EditorData, AppError> {
    let product = match id {
        Some(id) => Some(
            load(&mut *pool.acquire().await?, id)
                .await?
                .ok_or_else(|| AppError::not_found("There is no such product."))?,
        ),
        None => None,
    };
    let tax_categories: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM tax_categories ORDER BY NOT is_default, name")
            .fetch_all(pool)
            .await?;
    Ok(EditorData {
        product,
        categories: category_choices(pool).await?,
        tax_categories,
    })
}

pub const PRODUCTS_PER_PAGE: i64 = 50;

/// Products matching the filter, newest first, 50 at a time. Each page is one index scan
/// (newest id first, or the search index), so it stays fast at 100,000 products.
pub async fn list(pool: &PgPool, filter: &ProductFilter) -> Result<ProductList, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        slug: String,
        category: String,
        is_published: bool,
        archived: bool,
        variants: i64,
        stock: i64,
        currency: String,
        from_price_minor: i64,
        to_price_minor: i64,
    }
    let search = filter.search.trim();
    if search.chars().count() > 200 {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "search",
            "Search for at most 200 characters.",
        )]));
    }
    let categories = match filter.category.trim() {
        "" => None,
        text => {
            let id: i64 = text.parse().map_err(|_| {
                AppError::InvalidFields(vec![FieldError::new(
                    "category",
                    "Choose a category from the list.",
                )])
            })?;
            let tree = crate::catalog::repo::CategoryTree::new(
                crate::catalog::repo::all_categories(pool).await?,
            );
            Some(tree.subtree_ids(id))
        }
    };
    // A fixed predicate per status (not a CASE on a parameter), so that each can use its
    // own partial index.
    let Some(status) = ProductStatusFilter::parse(&filter.status) else {
        return Err(AppError::InvalidFields(vec![FieldError::new(
            "status",
            "Choose a status from the list.",
        )]));
    };
    let status_predicate = match status {
        ProductStatusFilter::Active => "p.archived_at IS NULL",
        ProductStatusFilter::Published => "p.is_published",
        ProductStatusFilter::Draft => "NOT p.is_published AND p.archived_at IS NULL",
        ProductStatusFilter::Archived => "p.archived_at IS NOT NULL",
        ProductStatusFilter::All => "true",
    };
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT p.id, p.name, p.slug, c.name AS category, p.is_published, p.archived_at IS NOT NULL AS archived,
                (SELECT count(*) FROM product_variants v WHERE v.product_id = p.id) AS variants,
                (SELECT coalesce(sum(v.stock), 0)::bigint FROM product_variants v WHERE v.product_id = p.id) AS stock,
                p.currency, p.from_price_minor, p.to_price_minor
         FROM products p JOIN categories c ON c.id = p.category_id
         WHERE ($1 = '' OR p.search_document @@ websearch_to_tsquery('english', $1)
                OR p.id = (SELECT product_id FROM product_variants WHERE sku = upper($1)))
           AND ($2::bigint[] IS NULL OR p.category_id = ANY($2))
           AND {status_predicate}
           AND ($3::bigint IS NULL OR p.id < $3)
         ORDER BY p.id DESC LIMIT $4"
    ))
    .bind(search)
    .bind(categories)
    .bind(filter.before_id)
    .bind(crate::kernel::paging::rows_to_fetch(PRODUCTS_PER_PAGE))
    .fetch_all(pool)
    .await?;
    let (rows, next_before_id) =
        crate::kernel::paging::keyset_page(rows, PRODUCTS_PER_PAGE, |r| r.id);
    Ok(ProductList {
        rows: rows
            .into_iter()
            .map(|r| {
                let money = |minor| format_minor(minor, &r.currency);
                ProductRow {
                    id: r.id,
                    name: r.name,
                    slug: r.slug,
                    category: r.category,
                    status: if r.archived {
                        ProductState::Archived
                    } else if r.is_published {
                        ProductState::Published
                    } else {
                        ProductState::Draft
                    },
                    variants: r.variants,
                    stock: r.stock,
                    price: if r.from_price_minor == r.to_price_minor {
                        money(r.from_price_minor)
                    } else {
                        format!(
                            "{} – {}",
                            money(r.from_price_minor),
                            money(r.to_price_minor)
                        )
                    },
                }
            })
            .collect(),
        next_before_id,
    })
}
