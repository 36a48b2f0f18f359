//! Each page's `<title>`, description and canonical link, built from the site's name and
//! public address.

use crate::kernel::site::{NavigationResource, SiteInfo};
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

/// The site info, waiting for the navigation resource when it is still loading.
pub async fn site_info() -> SiteInfo {
    let fallback = SiteInfo {
        store_name: "Stoa".to_owned(),
        contact_email: String::new(),
        contact_address: String::new(),
        public_url: String::new(),
        staging: false,
    };
    match use_context::<NavigationResource>() {
        Some(navigation) => navigation.await.map(|n| n.site).unwrap_or(fallback),
        None => fallback,
    }
}

/// Title, description and canonical link of one page.
#[component]
pub fn PageMeta(
    site: SiteInfo,
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    /// Path and query of the canonical address of this page, starting with `/`.
    #[prop(into)]
    canonical_path: String,
) -> impl IntoView {
    let full_title = if title.is_empty() {
        site.store_name.clone()
    } else {
        format!("{title} · {}", site.store_name)
    };
    let canonical = format!("{}{}", site.public_url, canonical_path);
    view! {
        <Title text=title_markup(full_title) />
        <Meta name="description" content=description />
        <Link rel="canonical" href=canonical />
    }
}

/// `PageMeta` for a page whose title and description are fixed, once the site's name and
/// address are known.
pub fn page_meta(
    title: &'static str,
    description: &'static str,
    path: &'static str,
) -> impl IntoView {
    let meta = Suspend::new(async move {
        let site = site_info().await;
        view! { <PageMeta site title description canonical_path=path /> }
    });
    view! { <Suspense fallback=|| ()>{meta}</Suspense> }
}

/// leptos_meta 0.8 writes the server-rendered `<title>` without escaping it, so a search
/// for `</title><script>…` would break out of the element. On the server we escape it
/// ourselves; in the browser the text goes to `document.title`, which takes plain text.
fn title_markup(text: String) -> String {
    if cfg!(feature = "ssr") {
        escape_html_text(&text)
    } else {
        text
    }
}

pub fn escape_html_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// The CSP nonce of this render, for the page's policy and its script elements.
#[cfg(feature = "ssr")]
pub fn page_nonce() -> String {
    leptos::nonce::use_nonce()
        .map(|nonce| nonce.to_string())
        .unwrap_or_default()
}

/// In the browser the page is already rendered: hydration keeps the server's nonce.
#[cfg(not(feature = "ssr"))]
pub fn page_nonce() -> String {
    String::new()
}
