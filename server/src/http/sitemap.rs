//! `robots.txt` and the sitemaps search engines read: an index at `/sitemap.xml` naming a
//! file of categories and one file per 50,000 published products, streamed as rows
//! arrive (`/sitemap/products/{n}.xml`).

use crate::state::AppState;
use app::catalog::sitemap::{
    category_slugs, product_entries, product_page_bounds, product_sitemap_count,
};
use app::kernel::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

const XML_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const SITEMAP_CHUNK_ROWS: i64 = 1_000;

fn xml(body: impl Into<Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body.into(),
    )
        .into_response()
}

/// Text for an XML element (addresses come from the configured public URL and slugs).
fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn robots_txt(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /api/\nDisallow: /cart\nDisallow: /checkout\nDisallow: /account\n\nSitemap: {}/sitemap.xml\n",
        state.server.site.public_url
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

pub async fn sitemap_index(State(state): State<AppState>) -> Response {
    let base = escape_xml(&state.server.site.public_url);
    match product_sitemap_count(&state.server.pool).await {
        Ok(files) => {
            let mut body = format!("{XML_HEAD}\n<sitemapindex xmlns=\"{SITEMAP_NS}\">\n");
            body.push_str(&format!(
                "<sitemap><loc>{base}/sitemap/categories.xml</loc></sitemap>\n"
            ));
            for page in 1..=files {
                body.push_str(&format!(
                    "<sitemap><loc>{base}/sitemap/products/{page}.xml</loc></sitemap>\n"
                ));
            }
            body.push_str("</sitemapindex>\n");
            xml(body)
        }
        Err(error) => error.into_response(),
    }
}

pub async fn category_sitemap(State(state): State<AppState>) -> Response {
    let base = escape_xml(&state.server.site.public_url);
    match category_slugs(&state.server.pool).await {
        Ok(slugs) => {
            let mut body = format!("{XML_HEAD}\n<urlset xmlns=\"{SITEMAP_NS}\">\n");
            body.push_str(&format!("<url><loc>{base}/</loc></url>\n"));
            for slug in slugs {
                body.push_str(&format!(
                    "<url><loc>{base}/category/{}</loc></url>\n",
                    escape_xml(&slug)
                ));
            }
            body.push_str("</urlset>\n");
            xml(body)
        }
        Err(error) => error.into_response(),
    }
}

/// `{n}.xml`: the n-th file of products; anything else, or past the last file, is a 404.
pub async fn product_sitemap(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let page = file
        .strip_suffix(".xml")
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n >= 1);
    let missing = || AppError::not_found("There is no such sitemap.").into_response();
    let Some(page) = page else {
        return missing();
    };
    // The file's bounds say whether it exists: the first file always does (empty in an
    // empty store), a later one only when products reach it. No count per request.
    let bounds = match product_page_bounds(&state.server.pool, page).await {
        Ok(bounds) => bounds,
        Err(error) => return error.into_response(),
    };
    if bounds.is_none() && page > 1 {
        return missing();
    }
    let base = escape_xml(&state.server.site.public_url);
    let pool = state.server.pool.clone();
    let head = format!("{XML_HEAD}\n<urlset xmlns=\"{SITEMAP_NS}\">\n");
    // Chunks of 1,000 rows, each sent as soon as it is read.
    let chunks = futures_util::stream::unfold(bounds.map(|(from, _)| from), move |from| {
        let pool = pool.clone();
        let base = base.clone();
        let before = bounds.and_then(|(_, before)| before);
        async move {
            let from = from?;
            match product_entries(&pool, from, before, SITEMAP_CHUNK_ROWS).await {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let next = rows.last().map(|(id, _, _)| id + 1);
                    let text: String = rows
                        .iter()
                        .map(|(_, slug, day)| {
                            format!(
                                "<url><loc>{base}/product/{}</loc><lastmod>{day}</lastmod></url>\n",
                                escape_xml(slug)
                            )
                        })
                        .collect();
                    Some((Ok::<Bytes, std::io::Error>(Bytes::from(text)), next))
                }
                Err(_) => Some((
                    Err(std::io::Error::other("the sitemap stopped: database error")),
                    None,
                )),
            }
        }
    });
    let body = futures_util::stream::once(async move { Ok(Bytes::from(head)) })
        .chain(chunks)
        .chain(futures_util::stream::once(async {
            Ok(Bytes::from_static(b"</urlset>\n"))
        }))
        .fuse();
    xml(Body::from_stream(body))
}

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/robots.txt", get(robots_txt))
        .route("/sitemap.xml", get(sitemap_index))
        .route("/sitemap/categories.xml", get(category_sitemap))
        .route("/sitemap/products/{file}", get(product_sitemap))
}
