//! Opening the store's database: create it when missing, apply migrations, and refuse a
//! schema newer than this build.

use app::kernel::db::{connect, latest_applied_migration, latest_known_migration, MIGRATOR};
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::PgConnectOptions;
use sqlx::{PgPool, Postgres};

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("cannot reach PostgreSQL at {host}:{port} (database `{database}`): {source}")]
    Unreachable {
        host: String,
        port: u16,
        database: String,
        source: sqlx::Error,
    },
    #[error("the database schema is at version {applied}, newer than this build knows ({known}); upgrade Stoa before starting it against this database")]
    SchemaTooNew { applied: i64, known: i64 },
    #[error("applying migrations failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

fn url_of(options: &PgConnectOptions) -> String {
    // sqlx's create_database takes a URL; build one from the parsed options.
    let user = options.get_username();
    let database = options.get_database().unwrap_or("stoa");
    format!(
        "postgres://{user}@{}:{}/{database}",
        options.get_host(),
        options.get_port()
    )
}

/// Connects, creating the database first when it does not exist and the options carry no
/// password (a URL with a password is used as is: creating databases is then the
/// operator's job).
pub async fn open(
    options: &PgConnectOptions,
    max_connections: u32,
) -> Result<PgPool, DatabaseError> {
    let unreachable = |source| DatabaseError::Unreachable {
        host: options.get_host().to_owned(),
        port: options.get_port(),
        database: options.get_database().unwrap_or("").to_owned(),
        source,
    };
    match connect(options.clone(), max_connections).await {
        Ok(pool) => Ok(pool),
        Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("3D000") => {
            let url = url_of(options);
            if !Postgres::database_exists(&url).await.unwrap_or(true) {
                tracing::info!(database = options.get_database(), "creating the database");
                Postgres::create_database(&url).await.map_err(unreachable)?;
            }
            connect(options.clone(), max_connections)
                .await
                .map_err(unreachable)
        }
        Err(error) => Err(unreachable(error)),
    }
}

/// Applies pending migrations, each in its own transaction; refuses a newer schema.
pub async fn migrate(pool: &PgPool) -> Result<(), DatabaseError> {
    let known = latest_known_migration();
    if let Some(applied) = latest_applied_migration(pool).await? {
        if applied > known {
            return Err(DatabaseError::SchemaTooNew { applied, known });
        }
    }
    MIGRATOR.run(pool).await?;
    Ok(())
}
