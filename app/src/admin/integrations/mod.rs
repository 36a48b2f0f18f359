//! Integrations (admins): the API keys other systems use to call the integration API, and
//! the webhook endpoints Stoa posts events to.

pub mod api;
pub mod page;
pub mod webhooks;
