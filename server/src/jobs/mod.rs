//! Background work the server runs beside the requests: sending the email outbox and
//! delivering webhooks (scheduled backups live with `backup`).

pub mod mail;
pub mod webhooks;
