//! The storefront's catalog pages.

mod category;
pub mod grid;
mod home;
mod product;
mod search;

pub use category::CategoryPage;
pub use home::HomePage;
pub use product::ProductPage;
pub use search::SearchPage;

use crate::catalog::model::CategoryLink;
use leptos::prelude::*;

/// "Home › Clothing › Shirts" above a listing or a product.
#[component]
fn Breadcrumbs(
    trail: Vec<CategoryLink>,
    #[prop(optional)] current: Option<String>,
) -> impl IntoView {
    let last_index = trail.len().saturating_sub(1);
    let current_is_category = current.is_none();
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumbs">
            <ol>
                <li><a href="/">"Home"</a></li>
                {trail
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| {
                        if current_is_category && i == last_index {
                            view! { <li><span aria-current="page">{c.name}</span></li> }.into_any()
                        } else {
                            let href = format!("/category/{}", c.slug);
                            view! { <li><a href=href>{c.name}</a></li> }.into_any()
                        }
                    })
                    .collect_view()}
                {current.map(|name| view! { <li><span aria-current="page">{name}</span></li> })}
            </ol>
        </nav>
    }
}

#[component]
fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}
