//! `POST /api/vitals`: page-load beacons from shoppers' browsers (`navigator.sendBeacon`,
//! so any content type). Each is checked (400 with the reason otherwise), limited per
//! client address (429 with `Retry-After`), counted in memory and written every few
//! seconds by [`spawn_vitals_writer`]. The address only feeds the limit, in memory.

use crate::state::AppState;
use app::kernel::error::AppError;
use app::vitals::model::{Beacon, BEACON_PATH, MAX_BEACON_BYTES};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Beacons one address may send per window: a shopper loads far fewer pages a minute.
pub const BEACONS_PER_WINDOW: u32 = 30;
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; past that, finished windows are forgotten first.
const ADDRESSES_REMEMBERED: usize = 100_000;

/// Per-address counts of the current window, in memory only.
struct BeaconLimit {
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl BeaconLimit {
    /// Takes one beacon for `address`, or says how long until it may send again.
    fn take(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() >= ADDRESSES_REMEMBERED {
            windows.retain(|_, (started, _)| now.duration_since(*started) < WINDOW);
            if windows.len() >= ADDRESSES_REMEMBERED {
                windows.clear();
            }
        }
        let (started, sent) = windows.entry(address).or_insert((now, 0));
        if now.duration_since(*started) >= WINDOW {
            *started = now;
            *sent = 0;
        }
        if *sent >= BEACONS_PER_WINDOW {
            return Err(WINDOW.saturating_sub(now.duration_since(*started)));
        }
        *sent += 1;
        Ok(())
    }
}

fn limit() -> &'static BeaconLimit {
    static LIMIT: std::sync::OnceLock<BeaconLimit> = std::sync::OnceLock::new();
    LIMIT.get_or_init(|| BeaconLimit {
        windows: Mutex::new(HashMap::new()),
    })
}

pub async fn receive_beacon(State(state): State<AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    let client = app::kernel::session::client_of_request(
        peer,
        request.headers(),
        &state.server.trusted_proxies,
    );
    if let Err(wait) = limit().take(client, Instant::now()) {
        let seconds = wait.as_secs().max(1);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, seconds.to_string())],
            format!("Too many page-load beacons from this address; try again in {seconds} s."),
        )
            .into_response();
    }
    let body = match axum::body::to_bytes(request.into_body(), MAX_BEACON_BYTES + 1).await {
        Ok(body) => body,
        Err(_) => {
            return AppError::InvalidInput(format!(
                "A page-load beacon is at most {MAX_BEACON_BYTES} bytes."
            ))
            .into_response()
        }
    };
    match Beacon::parse(&body) {
        Ok(beacon) => {
            app::vitals::tally::count(&beacon);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// Writes the counted beacons every few seconds; on failure they wait for the next turn.
pub fn spawn_vitals_writer(pool: PgPool) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(5));
        loop {
            ticker.tick().await;
            if let Err(error) = app::vitals::tally::write_counts(&pool).await {
                tracing::warn!(?error, "writing page-load counts failed");
            }
        }
    });
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route(BEACON_PATH, axum::routing::post(receive_beacon))
}

#[cfg(test)]
mod tests {
    use super::{BeaconLimit, BEACONS_PER_WINDOW, WINDOW};
    use std::collections::HashMap;
    use std::net::IpAddr;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    #[test]
    fn an_address_gets_its_allowance_per_window_and_others_are_unaffected() {
        let limit = BeaconLimit {
            windows: Mutex::new(HashMap::new()),
        };
        let start = Instant::now();
        let busy: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..BEACONS_PER_WINDOW {
            assert_eq!(limit.take(busy, start), Ok(()));
        }
        let wait = limit
            .take(busy, start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, WINDOW - Duration::from_secs(10));
        assert_eq!(limit.take("203.0.113.8".parse().unwrap(), start), Ok(()));
        assert_eq!(limit.take(busy, start + WINDOW), Ok(()));
    }
}
