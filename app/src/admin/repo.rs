//! Reads for the staff area.

use crate::accounts::model::Role;
use crate::admin::model::{CustomerRow, StaffRow};
use crate::error::AppError;
use sqlx::PgPool;

pub const CUSTOMERS_PER_PAGE: i64 = 50;

/// Customers whose email or name contains `search` (all when empty), newest first.
pub async fn customers(pool: &PgPool, search: &str) -> Result<Vec<CustomerRow>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        email: String,
        name: String,
        created_at: chrono::DateTime<chrono::Utc>,
        confirmed: bool,
        order_count: i64,
    }
    let pattern = format!(
        "%{}%",
        search
            .trim()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id, a.email, a.name, a.created_at, a.email_verified_at IS NOT NULL AS confirmed,
                (SELECT count(*) FROM orders o WHERE o.account_id = a.id) AS order_count
         FROM accounts a
         WHERE a.role IS NULL AND (a.email ILIKE $1 OR a.name ILIKE $1)
         ORDER BY a.created_at DESC, a.id DESC LIMIT $2",
    )
    .bind(pattern)
    .bind(CUSTOMERS_PER_PAGE)
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
    let rows: Vec<(String, String, Role, bool)> = sqlx::query_as(
        "SELECT email, name, role, is_active FROM accounts WHERE role IS NOT NULL ORDER BY role DESC, email",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(email, name, role, is_active)| StaffRow {
            email,
            name,
            role,
            is_active,
        })
        .collect())
}
