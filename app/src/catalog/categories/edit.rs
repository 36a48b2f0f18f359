//! Editing the category tree, each change audited in its own transaction. A category
//! never ends up below itself, and one with products or sub-categories is not deleted.

use crate::audit::{record, Actor, Change};
use crate::catalog::categories::model::{CategoryForm, CategoryNode};
use crate::catalog::manage::model::name_and_slug;
use crate::catalog::repo::{all_categories, CategoryRow};
use crate::kernel::error::{AppError, FieldError};
use sqlx::{PgConnection, PgPool};

/// The tree, depth-first, siblings in their order, with product and child counts.
pub async fn tree(pool: &PgPool) -> Result<Vec<CategoryNode>, AppError> {
    let rows = all_categories(pool).await?;
    let counts: std::collections::HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
        "SELECT category_id, count(*) FROM products GROUP BY category_id",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    let mut nodes = Vec::with_capacity(rows.len());
    fn walk(
        rows: &[CategoryRow],
        parent: Option<i64>,
        depth: usize,
        counts: &std::collections::HashMap<i64, i64>,
        out: &mut Vec<CategoryNode>,
    ) {
        for row in rows.iter().filter(|r| r.parent_id == parent) {
            if depth > rows.len() {
                return;
            }
            out.push(CategoryNode {
                id: row.id,
                parent_id: row.parent_id,
                name: row.name.clone(),
                slug: row.slug.clone(),
                depth,
                products: counts.get(&row.id).copied().unwrap_or(0),
                children: rows.iter().filter(|r| r.parent_id == Some(row.id)).count(),
            });
            walk(rows, Some(row.id), depth + 1, counts, out);
        }
    }
    walk(&rows, None, 0, &counts, &mut nodes);
    Ok(nodes)
}

struct Checked {
    id: Option<i64>,
    name: String,
    slug: String,
    parent_id: Option<i64>,
}

fn check(form: &CategoryForm) -> Result<Checked, AppError> {
    let mut errors = Vec::new();
    let (name, slug) = name_and_slug(&form.name, &form.slug, 120, &mut errors);
    let parse = |text: &str| text.trim().parse::<i64>().ok();
    AppError::from_field_errors(errors)?;
    Ok(Checked {
        id: parse(&form.id),
        name,
        slug,
        parent_id: parse(&form.parent_id),
    })
}

/// Whether `candidate` is `id` or lies below it.
async fn is_within(
    connection: &mut PgConnection,
    id: i64,
    candidate: i64,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "WITH RECURSIVE below AS (
             SELECT id FROM categories WHERE id = $1
             UNION SELECT c.id FROM categories c JOIN below b ON c.parent_id = b.id
         ) SELECT EXISTS (SELECT 1 FROM below WHERE id = $2)",
    )
    .bind(id)
    .bind(candidate)
    .fetch_one(connection)
    .await?)
}

fn slug_taken(error: sqlx::Error) -> AppError {
    crate::kernel::db::constraint_error(
        error,
        &[("categories_slug_key", || {
            AppError::InvalidFields(vec![FieldError::new(
                "slug",
                "Another category has this address.",
            )])
        })],
    )
}

async fn lock_tree(connection: &mut PgConnection) -> Result<(), AppError> {
    // One tree change at a time: moves and reorders read siblings and parents.
    sqlx::query("LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE")
        .execute(connection)
        .await?;
    Ok(())
}

async fn snapshot_of(
    connection: &mut PgConnection,
    id: i64,
) -> Result<serde_json::Value, AppError> {
    let row: (String, String, Option<i64>, i32) =
        sqlx::query_as("SELECT name, slug, parent_id, position FROM categories WHERE id = $1")
            .bind(id)
            .fetch_optional(connection)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such category."))?;
    Ok(serde_json::json!({ "name": row.0, "slug": row.1, "parent_id": row.2, "position": row.3 }))
}

/// Creates a category (last among its siblings) or updates one; returns its id.
pub async fn save(pool: &PgPool, actor: &Actor, form: &CategoryForm) -> Result<i64, AppError> {
    let category = check(form)?;
    let mut tx = pool.begin().await?;
    lock_tree(&mut tx).await?;
    if let Some(parent) = category.parent_id {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM categories WHERE id = $1)")
                .bind(parent)
                .fetch_one(&mut *tx)
                .await?;
        if !exists {
            return Err(AppError::InvalidFields(vec![FieldError::new(
                "parent_id",
                "Choose a parent from the list.",
            )]));
        }
    }
    let (id, before) = match category.id {
        Some(id) => {
            let before = snapshot_of(&mut tx, id).await?;
            if let Some(parent) = category.parent_id {
                if is_within(&mut tx, id, parent).await? {
                    return Err(AppError::InvalidFields(vec![FieldError::new(
                        "parent_id",
                        "A category cannot be placed below itself.",
                    )]));
                }
            }
            let moved = before["parent_id"].as_i64() != category.parent_id;
            sqlx::query(
                "UPDATE categories SET name = $2, slug = $3, parent_id = $4,
                     position = CASE WHEN $5 THEN (SELECT coalesce(max(position) + 1, 0) FROM categories
                                                   WHERE parent_id IS NOT DISTINCT FROM $4) ELSE position END
                 WHERE id = $1",
            )
            .bind(id)
            .bind(&category.name)
            .bind(&category.slug)
            .bind(category.parent_id)
            .bind(moved)
            .execute(&mut *tx)
            .await
            .map_err(slug_taken)?;
            (id, Some(before))
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO categories (name, slug, parent_id, position)
                 VALUES ($1, $2, $3, (SELECT coalesce(max(position) + 1, 0) FROM categories WHERE parent_id IS NOT DISTINCT FROM $3))
                 RETURNING id",
            )
            .bind(&category.name)
            .bind(&category.slug)
            .bind(category.parent_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(slug_taken)?;
            (id, None)
        }
    };
    let after = snapshot_of(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            action: if before.is_some() {
                "category.update"
            } else {
                "category.create"
            },
            entity_type: "category",
            entity_id: id.to_string(),
            before,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Moves a category one place up or down among its siblings.
pub async fn reorder(pool: &PgPool, actor: &Actor, id: i64, up: bool) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    lock_tree(&mut tx).await?;
    let before = snapshot_of(&mut tx, id).await?;
    let siblings: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM categories WHERE parent_id IS NOT DISTINCT FROM (SELECT parent_id FROM categories WHERE id = $1)
         ORDER BY position, name, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let Some(index) = siblings.iter().position(|s| *s == id) else {
        return Err(AppError::Internal);
    };
    let target = if up {
        index.checked_sub(1)
    } else {
        Some(index + 1).filter(|t| *t < siblings.len())
    };
    let Some(target) = target else {
        return Ok(());
    };
    let mut order = siblings.clone();
    order.swap(index, target);
    // Positions become 0, 1, 2… in the new order: gaps and ties disappear as a side effect.
    sqlx::query("UPDATE categories c SET position = o.n::int FROM unnest($1::bigint[]) WITH ORDINALITY AS o(id, n) WHERE c.id = o.id")
        .bind(&order)
        .execute(&mut *tx)
        .await?;
    let after = snapshot_of(&mut tx, id).await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "category.reorder",
            entity_type: "category",
            entity_id: id.to_string(),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes an empty category (no products, no sub-categories).
pub async fn delete(pool: &PgPool, actor: &Actor, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    lock_tree(&mut tx).await?;
    let before = snapshot_of(&mut tx, id).await?;
    let (products, children): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM products WHERE category_id = $1), (SELECT count(*) FROM categories WHERE parent_id = $1)",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if products > 0 || children > 0 {
        return Err(AppError::invalid(format!(
            "Only an empty category can be deleted: this one has {products} products and {children} sub-categories. Move them first."
        )));
    }
    sqlx::query("DELETE FROM categories WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        Change {
            action: "category.delete",
            entity_type: "category",
            entity_id: id.to_string(),
            before: Some(before),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
