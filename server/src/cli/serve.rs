//! `stoa serve`: run the store until SIGTERM or SIGINT, then finish in-flight requests.

use crate::config::Config;
use crate::router::build_router;
use crate::state::AppState;
use app::catalog::reads::CatalogReads;
use app::kernel::context::ServerState;
use app::kernel::site::SiteInfo;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::future::IntoFuture;
use std::sync::Arc;
use tower_sessions::ExpiredDeletion;

/// Everything the router needs, built from configuration and an open pool.
pub fn app_state(config: &Config, pool: PgPool) -> AppState {
    let stripe_client = config
        .stripe
        .as_ref()
        .map(|stripe| Arc::new(crate::payments::stripe::StripeClient::new(stripe)));
    AppState {
        payments: crate::payments::gateways(config, stripe_client.clone()),
        stripe: config
            .stripe
            .as_ref()
            .zip(stripe_client)
            .map(|(stripe, client)| crate::state::StripeEvents {
                client,
                webhook_secret: stripe.webhook_secret.clone(),
            }),
        secure_cookies: config.environment != crate::config::Environment::Development,
        media_dir: config.media_dir.clone(),
        leptos_options: leptos_options(config),
        catalog: Arc::new(CatalogReads::new(pool.clone(), config.catalog_cache_ttl)),
        server: ServerState {
            pool,
            site: SiteInfo {
                store_name: config.store_name.clone(),
                contact_email: String::new(),
                contact_address: String::new(),
                public_url: config.public_url.clone(),
                staging: config.environment == crate::config::Environment::Staging,
            },
            trusted_proxies: Arc::new(config.trusted_proxies.clone()),
        },
    }
}

/// Where cargo-leptos put the WASM, JS and CSS, and whether their names carry hashes
/// (it writes `hash.txt` beside the server binary when they do).
fn leptos_options(config: &Config) -> LeptosOptions {
    let hash_files = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").exists()))
        .unwrap_or(false);
    LeptosOptions::builder()
        .output_name("stoa")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .hash_files(hash_files)
        .env(match config.environment {
            crate::config::Environment::Development => leptos::config::Env::DEV,
            _ => leptos::config::Env::PROD,
        })
        .build()
}

pub async fn serve(config: Config, pool: PgPool) -> std::io::Result<()> {
    let stop_signal = shutdown_signal();
    // Delete expired sessions (and with them the link to abandoned carts) every 10 minutes.
    let expired_sessions = crate::middleware::sessions::session_store(pool.clone())
        .continuously_delete_expired(tokio::time::Duration::from_secs(600));
    tokio::spawn(async move {
        if let Err(error) = expired_sessions.await {
            tracing::error!(%error, "deleting expired sessions stopped");
        }
    });
    let mailer = match &config.smtp_url {
        Some(_) if !config.sends_mail() => {
            tracing::warn!("staging copy: emails stay in the outbox table, none is sent");
            None
        }
        Some(url) => Some(
            crate::jobs::mail::Mailer::new(url, &config.mail_from).map_err(|e| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
            })?,
        ),
        None => None,
    };
    crate::jobs::mail::spawn_outbox_worker(pool.clone(), mailer);
    spawn_abandoned_cart_cleanup(pool.clone());
    crate::middleware::visits::spawn_visit_writer(pool.clone());
    crate::http::vitals::spawn_vitals_writer(pool.clone());
    crate::http::api::usage::spawn_usage_writer(pool.clone());
    if config.sends_webhooks() {
        crate::jobs::webhooks::spawn_worker(pool.clone());
    } else {
        tracing::warn!("staging copy: webhook events stay in the outbox, none is delivered");
    }
    if let Some(schedule) = config.backups.clone() {
        tracing::info!(dir = %schedule.dir.display(), every_hours = schedule.interval.as_secs() / 3600, keep = schedule.keep, "scheduled backups on");
        crate::backup::spawn_scheduled_backups(
            pool.clone(),
            schedule,
            config.backup_storage.clone(),
            config.database_url.clone(),
            config.media_dir.clone(),
        );
    }
    let state = app_state(&config, pool.clone());
    if state.leptos_options.hash_files {
        keep_earlier_builds_servable(&state.leptos_options);
    }
    let router = build_router(state);
    let control = config.handover_socket.clone();
    let (listener, predecessor) = crate::handover::listen(config.addr, control.as_deref())?;
    let listener_fd = std::os::fd::AsRawFd::as_raw_fd(&listener);
    let (stop, mut stopped_by_successor) = tokio::sync::watch::channel(false);
    // Stops accepting the moment a successor is ready; closes idle connections a moment later.
    let accepting = axum::serve::ListenerExt::tap_io(
        crate::handover::Accepting::new(listener, stopped_by_successor.clone()),
        |_| {},
    );
    let server = tokio::spawn(
        axum::serve(
            accepting,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let successor_ready = async {
                // Without a control socket the sender is gone at once: that is no reason to stop.
                if stopped_by_successor.wait_for(|stop| *stop).await.is_err() {
                    std::future::pending::<()>().await;
                }
                tokio::time::sleep(crate::handover::SUCCESSOR_GRACE).await;
            };
            tokio::select! {
                () = stop_signal => {}
                () = successor_ready => {}
            }
        })
        .into_future(),
    );
    let control_socket =
        tokio::task::spawn_blocking(move || predecessor.serving(listener_fd, control, stop))
            .await
            .map_err(std::io::Error::other)??;
    tracing::info!(
        address = %config.addr,
        public_url = %config.public_url,
        environment = config.environment.as_str(),
        "Stoa is serving"
    );
    server.await.map_err(std::io::Error::other)??;
    drop(control_socket);
    if let Err(error) = crate::http::api::usage::write_counted_usage(&pool).await {
        tracing::warn!(?error, "writing the last API key usage failed");
    }
    tracing::info!("stopped; in-flight requests finished");
    Ok(())
}

/// Archives this build's hashed assets beside the earlier ones (`crate::assets`); a
/// failure only costs open tabs their lazily loaded pages, so it is logged, not fatal.
fn keep_earlier_builds_servable(options: &LeptosOptions) {
    let site_root = std::path::Path::new(options.site_root.as_ref());
    let pkg_dir = site_root.join(options.site_pkg_dir.as_ref());
    let archive = crate::assets::archive_dir(site_root, options.site_pkg_dir.as_ref());
    match crate::assets::archive_current_build(&pkg_dir, &archive, crate::assets::KEPT_FOR) {
        Ok(deleted) => {
            tracing::info!(archive = %archive.display(), deleted, "earlier builds' assets kept servable")
        }
        Err(error) => {
            tracing::warn!(%error, archive = %archive.display(), "archiving this build's assets failed")
        }
    }
}

/// Waits for SIGINT or SIGTERM. SIGTERM's handler is installed when this is called, not
/// when the future is first polled: a stop that arrives while the server task has not run
/// yet (a release handing over, a service manager stopping a process that just started)
/// still shuts down cleanly instead of killing the process.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|error| tracing::error!(%error, "cannot listen for SIGTERM"))
        .ok();
    async move {
        let interrupt = async {
            if let Err(error) = tokio::signal::ctrl_c().await {
                tracing::error!(%error, "cannot listen for SIGINT");
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut signal) => {
                    signal.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = interrupt => tracing::info!("SIGINT received, shutting down"),
            () = terminate => tracing::info!("SIGTERM received, shutting down"),
        }
    }
}

/// Once an hour, deletes carts nobody touched for as long as a session lives, and failed
/// attempts older than a day.
fn spawn_abandoned_cart_cleanup(pool: PgPool) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            ticker.tick().await;
            match app::cart::repo::delete_abandoned_carts(
                &pool,
                crate::middleware::sessions::SESSION_IDLE_DAYS as i32,
            )
            .await
            {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, "deleted abandoned carts"),
                Err(error) => tracing::warn!(?error, "deleting abandoned carts failed"),
            }
            if let Err(error) = app::accounts::throttle::forget_old_attempts(&pool).await {
                tracing::warn!(?error, "forgetting old failed attempts failed");
            }
            // A login not seen for longer than a session lives has no session left.
            let idle_days = crate::middleware::sessions::SESSION_IDLE_DAYS;
            if let Err(error) = app::accounts::logins::forget_idle(&pool, idle_days).await {
                tracing::warn!(?error, "forgetting idle logins failed");
            }
        }
    });
}
