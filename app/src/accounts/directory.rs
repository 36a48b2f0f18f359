//! Reads for the staff area.

use crate::accounts::model::Role;
use crate::accounts::model::{CustomerRow, StaffRow};
use crate::kernel::db::escape_like;
use crate::kernel::error::AppError;
use sqlx::PgPool;

pub const CUSTOMERS_PER_PAGE: i64 = 50;

/// Customers whose email or name contains `search` (all when empty), newest first.
pub async fn customers(pool: &PgPool, search: &str) -> Result<Vec<CustomerRow>, AppError> {
    customer_rows(pool, search, None).await
}

/// One customer with their orders, newest first.
pub async fn customer(
    pool: &PgPool,
    id: i64,
) -> Result<crate::accounts::model::CustomerDetail, AppError> {
    let row = customer_rows(pool, "", Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found("There is no such customer."))?;
    Ok(crate::accounts::model::CustomerDetail {
        orders: crate::accounts::repo::order_history(pool, id).await?,
        row,
    })
}

async fn customer_rows(
    pool: &PgPool,
    search: &str,
    id: Option<i64>,
) -> Result<Vec<CustomerRow>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        email: String,
        name: String,
        created_at: chrono::DateTime<chrono::Utc>,
        confirmed: bool,
        order_count: i64,
    }
    let pattern = format!("%{}%", escape_like(search));
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id, a.email, a.name, a.created_at, a.email_verified_at IS NOT NULL AS confirmed,
                (SELECT count(*) FROM orders o WHERE o.account_id = a.id) AS order_count
         FROM accounts a
         WHERE a.role IS NULL AND (a.email ILIKE $1 OR a.name ILIKE $1) AND ($3::bigint IS NULL OR a.id = $3)
         ORDER BY a.created_at DESC, a.id DESC LIMIT $2",
    )
    .bind(pattern)
    .bind(CUSTOMERS_PER_PAGE)
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CustomerRow {
            id: r.id,
            email: r.email,
            name: r.name,
            registered_at: r.created_at.format("%Y-%m-%d").to_string(),
            confirmed: r.confirmed,
            order_count: r.order_count,
        })
        .collect())
}

pub async fn staff(pool: &PgPool) -> Result<Vec<StaffRow>, AppError> {
    let rows: Vec<(i64, String, String, Role, bool, bool, i64)> = sqlx::query_as(
        "SELECT a.id, a.email, a.name, a.role, a.is_active,
                EXISTS (SELECT 1 FROM account_two_factor t
                        WHERE t.account_id = a.id AND t.confirmed_at IS NOT NULL),
                (SELECT count(*) FROM account_logins l WHERE l.account_id = a.id)
         FROM accounts a WHERE a.role IS NOT NULL ORDER BY a.role DESC, a.email",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, email, name, role, is_active, two_factor, logins)| StaffRow {
                id,
                email,
                name,
                role,
                is_active,
                two_factor,
                logins,
            },
        )
        .collect())
}
