//! `stoa migrate --check`: are the pending migrations safe to apply while the previous
//! version still serves? The rule (docs/operations.md): a release's migrations only
//! *expand* the schema (new tables, new nullable or defaulted columns, new indexes,
//! relaxed constraints), so the old and the new version run side by side against one
//! database; anything that *contracts* it (dropping or renaming what the old version
//! reads, changing a column's type, a new NOT NULL or constraint the old version's writes
//! may break) waits for a later release, once no old process is left. The check reads the
//! SQL of each pending migration and names every statement that contracts.

use sqlx::PgPool;

/// One statement of a pending migration that the previous version may not survive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contraction {
    pub migration: String,
    pub reason: &'static str,
    pub statement: String,
}

/// Patterns (on the statement in upper case, whitespace collapsed) that contract the
/// schema, with why.
const CONTRACTING: &[(&str, &str)] = &[
    ("DROP TABLE", "drops a table the previous version may read"),
    (
        "DROP COLUMN",
        "drops a column the previous version may read or write",
    ),
    ("RENAME", "renames something the previous version names"),
    ("DROP TYPE", "drops a type the previous version uses"),
    (
        "DROP FUNCTION",
        "drops a function the previous version may call",
    ),
    (
        " TYPE ",
        "changes a column's type under the previous version",
    ),
    (
        "SET NOT NULL",
        "the previous version may still write NULL there",
    ),
    (
        "ADD CONSTRAINT",
        "a new constraint may refuse the previous version's writes (add it in a later release)",
    ),
    (
        "ADD PRIMARY KEY",
        "a new key may refuse the previous version's writes",
    ),
];

/// The SQL without `--` comments, whitespace collapsed (string literals with `--` or `;`
/// in them are not expected in migrations).
fn without_comments(sql: &str) -> String {
    sql.lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The contracting statements of one migration's SQL.
pub fn contractions(migration: &str, sql: &str) -> Vec<Contraction> {
    let mut found = Vec::new();
    for statement in without_comments(sql).split(';') {
        let statement = statement.trim();
        let text = statement.to_uppercase();
        if text.is_empty() {
            continue;
        }
        // A new column NOT NULL without a default breaks the previous version's inserts.
        let adds_required_column = text.contains("ADD COLUMN")
            && text.contains("NOT NULL")
            && !text.contains("DEFAULT")
            && !text.contains("GENERATED");
        let reason = CONTRACTING
            .iter()
            .find(|(pattern, _)| {
                // A column's `TYPE` counts only in ALTER COLUMN (not in CREATE TYPE or TABLE).
                text.contains(pattern) && (*pattern != " TYPE " || text.contains("ALTER COLUMN"))
            })
            .map(|(_, reason)| *reason)
            .or(adds_required_column.then_some(
                "a new NOT NULL column without a default breaks the previous version's inserts",
            ));
        if let Some(reason) = reason {
            let mut shown = statement.to_owned();
            if shown.len() > 160 {
                shown.truncate(
                    shown
                        .char_indices()
                        .nth(157)
                        .map_or(shown.len(), |(i, _)| i),
                );
                shown.push('…');
            }
            found.push(Contraction {
                migration: migration.to_owned(),
                reason,
                statement: shown,
            });
        }
    }
    found
}

/// The migrations this build would apply to `pool`'s database, by version and
/// description, with their contracting statements.
pub async fn check_pending(pool: &PgPool) -> Result<Vec<(i64, String, Vec<Contraction>)>, String> {
    let applied = app::kernel::db::latest_applied_migration(pool)
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or(0);
    Ok(app::kernel::db::MIGRATOR
        .iter()
        .filter(|m| m.version > applied)
        .map(|m| {
            let name = format!("{}_{}", m.version, m.description.replace(' ', "_"));
            (
                m.version,
                m.description.to_string(),
                contractions(&name, &m.sql),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::contractions;

    #[test]
    fn expanding_statements_pass() {
        let sql = "CREATE TABLE saved_cards (id BIGINT PRIMARY KEY, brand TEXT NOT NULL);
                   CREATE TYPE order_status AS ENUM ('paid');
                   ALTER TABLE accounts ADD COLUMN stripe_customer_id TEXT;
                   ALTER TABLE orders ADD COLUMN made_in TEXT NOT NULL DEFAULT 'store';
                   CREATE INDEX saved_cards_account_idx ON saved_cards (account_id, id);
                   -- DROP TABLE in a comment; with a semicolon, is not a statement
                   ALTER TABLE orders DROP CONSTRAINT orders_payment_provider;";
        assert_eq!(contractions("m", sql), vec![]);
    }

    #[test]
    fn contracting_statements_are_named_with_why() {
        let sql = "ALTER TABLE orders DROP COLUMN card_last4;
                   ALTER TABLE orders RENAME COLUMN email TO email_address;
                   ALTER TABLE orders ALTER COLUMN total_minor TYPE NUMERIC;
                   ALTER TABLE orders ALTER COLUMN email SET NOT NULL;
                   ALTER TABLE orders ADD COLUMN region TEXT NOT NULL;
                   ALTER TABLE orders ADD CONSTRAINT orders_region CHECK (region <> '');
                   DROP TABLE carts;";
        let found = contractions("20270101000001_contract", sql);
        assert_eq!(found.len(), 7, "{found:#?}");
        assert!(found[0].reason.contains("drops a column"));
        assert!(found[2].reason.contains("type"));
        assert!(found[4].reason.contains("without a default"));
        assert!(found
            .iter()
            .all(|c| c.migration == "20270101000001_contract"));
    }
}
