//! Failure limits kept in PostgreSQL.

use app::accounts::throttle::{check, clear, forget_old_attempts, record_failure, Limit};
use app::kernel::error::AppError;
use app::testing::TestDatabase;
use std::time::Duration;

const LIMIT: Limit = Limit {
    scope: "test_scope",
    max_failures: 3,
    window: Duration::from_secs(900),
};

#[tokio::test]
async fn attempts_are_refused_after_the_limit_until_the_window_passes() {
    let db = TestDatabase::new().await;
    for _ in 0..3 {
        assert!(check(&db.pool, LIMIT, "ST-10001").await.is_ok());
        record_failure(&db.pool, LIMIT, "ST-10001").await.unwrap();
    }
    let refused = check(&db.pool, LIMIT, "ST-10001").await;
    assert!(
        matches!(&refused, Err(AppError::TooManyAttempts(m)) if m.contains("15 minutes")),
        "{refused:?}"
    );
    assert_eq!(refused.unwrap_err().status_code(), 429);
    assert!(
        check(&db.pool, LIMIT, "ST-10002").await.is_ok(),
        "other keys are unaffected"
    );

    // Failures older than the window no longer count.
    sqlx::query("UPDATE failed_attempts SET attempted_at = now() - interval '16 minutes'")
        .execute(&db.pool)
        .await
        .unwrap();
    assert!(check(&db.pool, LIMIT, "ST-10001").await.is_ok());
    sqlx::query("UPDATE failed_attempts SET attempted_at = now() - interval '2 days'")
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(forget_old_attempts(&db.pool).await.unwrap(), 3);
    db.drop_database().await;
}

#[tokio::test]
async fn a_success_clears_the_failures_of_its_key() {
    let db = TestDatabase::new().await;
    for _ in 0..3 {
        record_failure(&db.pool, LIMIT, "k").await.unwrap();
    }
    assert!(check(&db.pool, LIMIT, "k").await.is_err());
    clear(&db.pool, LIMIT, "k").await.unwrap();
    assert!(check(&db.pool, LIMIT, "k").await.is_ok());
    db.drop_database().await;
}
