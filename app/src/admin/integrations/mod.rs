//! Integrations (admins): the API keys other systems use to call the integration API.

pub mod api;
pub mod page;
