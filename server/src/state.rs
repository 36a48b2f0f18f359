//! What every handler and middleware of the server shares, defined once, below
//! everything that uses it.

use app::catalog::reads::CatalogReads;
use app::kernel::context::ServerState;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub server: ServerState,
    /// The catalog's cached read side, handed to server functions next to `server`.
    pub catalog: Arc<CatalogReads>,
    /// Session cookies carry `Secure` everywhere but in development (plain http on localhost).
    pub secure_cookies: bool,
    /// Uploaded images (STOA_MEDIA_DIR), served under /media/uploads/.
    pub media_dir: std::path::PathBuf,
    /// The payment providers configured (Stripe, the manual method, the demo gateway).
    pub payments: app::payments::PaymentGateways,
    /// Stripe's client and webhook secret, for the provider's events, when configured.
    pub stripe: Option<StripeEvents>,
}

/// What the route for Stripe's events needs.
#[derive(Clone)]
pub struct StripeEvents {
    pub client: Arc<crate::payments::stripe::StripeClient>,
    pub webhook_secret: String,
}

impl AppState {
    pub fn served_over_https(&self) -> bool {
        self.server.site.public_url.starts_with("https://")
    }

    /// What server functions and pages find in their Leptos context.
    pub fn provide_to_leptos(&self) {
        leptos::prelude::provide_context(self.server.clone());
        leptos::prelude::provide_context(self.catalog.clone());
        leptos::prelude::provide_context(self.payments.clone());
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for ServerState {
    fn from_ref(state: &AppState) -> Self {
        state.server.clone()
    }
}
