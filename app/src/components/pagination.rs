//! Page links under a listing: previous, numbered pages around the current one, next.

use leptos::prelude::*;

#[component]
pub fn Pagination(
    current: u32,
    total_pages: u32,
    /// The address of page `n`.
    href_for: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    if total_pages <= 1 {
        return None;
    }
    let first_shown = current.saturating_sub(2).max(1);
    let last_shown = (current + 2).min(total_pages);
    let previous = (current > 1 && current <= total_pages).then(|| {
        let href = href_for(current - 1);
        view! { <a href=href rel="prev" class="page-link">"← Previous"</a> }
    });
    let next = (current < total_pages).then(|| {
        let href = href_for(current + 1);
        view! { <a href=href rel="next" class="page-link">"Next →"</a> }
    });
    let numbers = (first_shown..=last_shown)
        .map(|n| {
            if n == current {
                view! { <span class="page-link current" aria-current="page">{n}</span> }.into_any()
            } else {
                let href = href_for(n);
                let label = format!("Page {n}");
                view! { <a href=href class="page-link" aria-label=label>{n}</a> }.into_any()
            }
        })
        .collect_view();
    Some(view! {
        <nav class="pagination" aria-label="Pages">
            {previous}
            {numbers}
            <span class="page-count">{format!("of {total_pages}")}</span>
            {next}
        </nav>
    })
}
