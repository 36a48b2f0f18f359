//! Customer accounts as the integration API gives them (scope `customers:read`): who they
//! are and how much they ordered, never a password or a payment reference.

use crate::integrations::cursor::{end_page, page_size, Cursor};
use crate::kernel::error::AppError;
use serde::Serialize;
use sqlx::PgPool;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiCustomer {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// RFC 3339.
    pub registered_at: String,
    /// Whether the email address was confirmed.
    pub confirmed: bool,
    /// Orders placed from the account.
    pub orders: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CustomerPage {
    pub customers: Vec<ApiCustomer>,
    /// Pass as `cursor` for the next page (or, kept, to poll for changes).
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

type Row = (
    i64,
    i64,
    String,
    String,
    chrono::DateTime<chrono::Utc>,
    bool,
    i64,
);

const CUSTOMER_COLUMNS: &str = "a.id, a.change_xid::text::bigint, a.email, a.name, a.created_at,
     a.email_verified_at IS NOT NULL,
     (SELECT count(*) FROM orders o WHERE o.account_id = a.id)";

fn customer((id, _, email, name, registered_at, confirmed, orders): Row) -> ApiCustomer {
    ApiCustomer {
        id,
        email,
        name,
        registered_at: registered_at.to_rfc3339(),
        confirmed,
        orders,
    }
}

/// One customer account (not staff) by its id.
pub async fn by_id(pool: &PgPool, id: i64) -> Result<ApiCustomer, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM accounts a WHERE a.role IS NULL AND a.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(customer)
        .ok_or_else(|| AppError::not_found("There is no customer with this id."))
}

/// A page of customer accounts (not staff), oldest change first.
pub async fn list(
    pool: &PgPool,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<CustomerPage, AppError> {
    let limit = page_size(limit)?;
    let requested = cursor.map(Cursor::parse).transpose()?;
    let after = requested.unwrap_or_default();
    let mut rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM accounts a
         WHERE a.role IS NULL
           AND a.change_xid < pg_snapshot_xmin(pg_current_snapshot())
           AND (a.change_xid, a.id) > ($1::text::xid8, $2)
         ORDER BY a.change_xid, a.id LIMIT $3"
    ))
    .bind(after.xid.to_string())
    .bind(after.id)
    .bind(limit + 1)
    .fetch_all(pool)
    .await?;
    let (next_cursor, has_more) = end_page(
        &mut rows,
        limit,
        |row| Cursor {
            xid: row.1,
            id: row.0,
        },
        requested,
    );
    Ok(CustomerPage {
        customers: rows.into_iter().map(customer).collect(),
        next_cursor,
        has_more,
    })
}
