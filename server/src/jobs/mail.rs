//! Sending the outbox: emails written by business actions (order confirmations) are sent
//! after their transaction commits, by this worker, with retries and backoff.
//!
//! Each pass claims due emails with `FOR UPDATE SKIP LOCKED`, so several server processes
//! can run the worker at once without sending one email twice at the same time.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::time::Duration;

/// How often the worker looks for due emails.
pub const OUTBOX_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// Emails claimed per pass.
const BATCH: i64 = 20;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("STOA_SMTP_URL is not usable: {0}")]
    Url(String),
    #[error("STOA_MAIL_FROM is not a sender address: {0}")]
    From(String),
}

impl Mailer {
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, MailerError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| MailerError::Url(e.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailerError::From(e.to_string()))?;
        Ok(Self { transport, from })
    }

    async fn send(
        &self,
        from: Option<&Mailbox>,
        recipient: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), String> {
        let to: Mailbox = recipient
            .parse()
            .map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(from.unwrap_or(&self.from).clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Sends what is due; returns how many were sent. A failed send is retried later:
/// after 1, 2, 4 … minutes, at most 6 hours apart.
pub async fn deliver_due_emails(pool: &PgPool, mailer: &Mailer) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let due: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, recipient, subject, body_text FROM outbox_emails
         WHERE sent_at IS NULL AND next_attempt_at <= now()
         ORDER BY id LIMIT $1
         FOR UPDATE SKIP LOCKED",
    )
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    // The sender staff set in the store's settings, else STOA_MAIL_FROM.
    let store_sender: Option<String> = sqlx::query_scalar("SELECT mail_from FROM store_settings")
        .fetch_one(&mut *tx)
        .await?;
    let from: Option<Mailbox> = store_sender.and_then(|s| s.parse().ok());
    let mut sent = 0;
    for (id, recipient, subject, body) in due {
        match mailer
            .send(from.as_ref(), &recipient, &subject, &body)
            .await
        {
            Ok(()) => {
                sqlx::query("UPDATE outbox_emails SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(email = id, %error, "sending an email failed; it will be retried");
                sqlx::query(
                    "UPDATE outbox_emails
                     SET attempts = attempts + 1, last_error = $2,
                         next_attempt_at = now() + make_interval(mins => least(power(2, attempts)::int, 360))
                     WHERE id = $1",
                )
                .bind(id)
                .bind(error.chars().take(500).collect::<String>())
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(sent)
}

/// Runs the outbox worker until the process ends. Without SMTP, emails stay recorded in
/// `outbox_emails` and nothing is sent.
pub fn spawn_outbox_worker(pool: PgPool, mailer: Option<Mailer>) {
    let Some(mailer) = mailer else {
        tracing::info!("STOA_SMTP_URL is not set: emails are kept in the outbox table, not sent");
        return;
    };
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(OUTBOX_POLL_INTERVAL);
        loop {
            ticker.tick().await;
            if let Err(error) = deliver_due_emails(&pool, &mailer).await {
                tracing::error!(%error, "the email outbox could not be read");
            }
        }
    });
}
