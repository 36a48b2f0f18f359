//! Generated SVG placeholder images for the demo catalog: colours and shapes derived from
//! the name in the address, so each product looks different without storing files.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `GET /media/placeholder/{name}.svg`
pub async fn placeholder_svg(Path(file): Path<String>) -> Response {
    let Some(name) = file
        .strip_suffix(".svg")
        .filter(|n| app::kernel::slug::is_valid_slug(n))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let hash = fnv1a(name);
    let hue = hash % 360;
    let accent = (hue + 140 + (hash >> 16) % 80) % 360;
    let shape = (hash >> 24) % 3;
    let x = 120 + (hash >> 32) % 160;
    let y = 120 + (hash >> 40) % 160;
    let figure = match shape {
        0 => format!(r#"<circle cx="{x}" cy="{y}" r="110" fill="hsl({accent} 55% 62%)"/>"#),
        1 => format!(
            r#"<rect x="{}" y="{}" width="200" height="200" rx="28" fill="hsl({accent} 50% 60%)" transform="rotate(12 {x} {y})"/>"#,
            x - 100,
            y - 100
        ),
        _ => format!(
            r#"<path d="M{x} {} L{} {} L{} {} Z" fill="hsl({accent} 52% 58%)"/>"#,
            y - 120,
            x + 120,
            y + 90,
            x - 120,
            y + 90
        ),
    };
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl({hue} 45% 88%)"/><stop offset="1" stop-color="hsl({hue} 40% 74%)"/></linearGradient></defs><rect width="400" height="400" fill="url(#g)"/>{figure}<circle cx="{}" cy="{}" r="34" fill="hsl({hue} 35% 40%)" opacity="0.55"/></svg>"#,
        400 - x / 2,
        400 - y / 2
    );
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response()
}

pub fn routes() -> axum::Router<crate::state::AppState> {
    axum::Router::new().route(
        "/media/placeholder/{file}",
        axum::routing::get(placeholder_svg),
    )
}
