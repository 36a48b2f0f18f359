//! The outbox worker against a real SMTP conversation on loopback.

use app::testing::TestDatabase;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use stoa_server::jobs::mail::{deliver_due_emails, Mailer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A minimal SMTP server that refuses the first `refusals` messages with 451 and keeps
/// the rest.
async fn smtp_server(refusals: usize) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(AtomicUsize::new(0));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (store, refused) = (store.clone(), refused.clone());
            tokio::spawn(async move {
                let (reader, mut writer) = socket.into_split();
                let mut lines = BufReader::new(reader).lines();
                writer.write_all(b"220 test ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let command = line.to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO")
                    {
                        b"250 test\r\n"
                    } else if command.starts_with("MAIL FROM") {
                        if refused.fetch_add(1, Ordering::SeqCst) < refusals {
                            b"451 try again later\r\n"
                        } else {
                            b"250 OK\r\n"
                        }
                    } else if command.starts_with("DATA") {
                        writer.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut message = String::new();
                        while let Ok(Some(data)) = lines.next_line().await {
                            if data == "." {
                                break;
                            }
                            message.push_str(&data);
                            message.push('\n');
                        }
                        store.lock().unwrap().push(message);
                        b"250 queued\r\n"
                    } else if command.starts_with("QUIT") {
                        writer.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    writer.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

async fn queue_email(db: &TestDatabase) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO outbox_emails (kind, recipient, subject, body_text)
         VALUES ('order_confirmation', 'ada@example.com', 'Your order ST-10001', 'Thank you for your order ST-10001.')
         RETURNING id",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_refused_email_is_retried_later_and_then_sent_once() {
    let db = TestDatabase::new().await;
    let id = queue_email(&db).await;
    let (port, received) = smtp_server(1).await;
    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Stoa <orders@shop.example>",
    )
    .unwrap();

    assert_eq!(deliver_due_emails(&db.pool, &mailer).await.unwrap(), 0);
    let (attempts, sent, error, later): (i32, bool, Option<String>, bool) = sqlx::query_as(
        "SELECT attempts, sent_at IS NOT NULL, last_error, next_attempt_at > now() FROM outbox_emails WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((attempts, sent, later), (1, false, true));
    assert!(error.unwrap().contains("451"));
    assert_eq!(
        deliver_due_emails(&db.pool, &mailer).await.unwrap(),
        0,
        "not due yet"
    );

    sqlx::query("UPDATE outbox_emails SET next_attempt_at = now()")
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(deliver_due_emails(&db.pool, &mailer).await.unwrap(), 1);
    assert_eq!(
        deliver_due_emails(&db.pool, &mailer).await.unwrap(),
        0,
        "sent once only"
    );
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains("Subject: Your order ST-10001"),
        "{}",
        messages[0]
    );
    assert!(messages[0].contains("To: ada@example.com"));
    let sent: bool =
        sqlx::query_scalar("SELECT sent_at IS NOT NULL FROM outbox_emails WHERE id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(sent);
    db.drop_database().await;
}

#[tokio::test]
async fn an_unreachable_mail_server_never_loses_the_email() {
    let db = TestDatabase::new().await;
    let id = queue_email(&db).await;
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mailer = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "orders@shop.example").unwrap();
    assert_eq!(deliver_due_emails(&db.pool, &mailer).await.unwrap(), 0);
    let (attempts, body): (i32, String) =
        sqlx::query_as("SELECT attempts, body_text FROM outbox_emails WHERE id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(attempts, 1);
    assert!(
        body.contains("ST-10001"),
        "the email is kept for the next attempt"
    );
    db.drop_database().await;
}
