//! The page shown for any address the store does not know, with HTTP status 404.

use crate::components::meta::{site_info, PageMeta};
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::kernel::error::set_response_status(&crate::kernel::error::AppError::not_found(""));
    let meta = Suspend::new(async move {
        let site = site_info().await;
        view! {
            <PageMeta
                site
                title="Page not found"
                description="This page does not exist in our store."
                canonical_path="/"
            />
        }
    });
    view! {
        <Suspense fallback=|| ()>{meta}</Suspense>
        <section class="not-found">
            <h1>"Page not found"</h1>
            <p>"We could not find the page you asked for. It may have moved, or the address may be mistyped."</p>
            <p><a class="button" href="/">"Go to the home page"</a></p>
        </section>
    }
}
