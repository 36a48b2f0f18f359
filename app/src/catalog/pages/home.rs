//! `/`: featured products, new arrivals and the departments.

use super::grid::ProductGrid;
use super::Loading;
use crate::catalog::api::get_home;
use crate::components::meta::{site_info, PageMeta};
use crate::components::notices::ErrorPanel;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| get_home());
    let content = move || {
        Suspend::new(async move {
            let site = site_info().await;
            let home = match home.await {
                Ok(home) => home,
                Err(error) => return view! { <ErrorPanel error /> }.into_any(),
            };
            let description = format!(
                "Shop {} at {}: {}.",
                home.departments
                    .iter()
                    .map(|d| d.name.to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", "),
                site.store_name,
                "fair prices, clear stock levels and fast delivery"
            );
            view! {
                <PageMeta site=site.clone() title="" description canonical_path="/" />
                <section class="hero">
                    <h1>{format!("Welcome to {}", site.store_name)}</h1>
                    <p>"Good things, honestly priced. Browse a department or search for what you need."</p>
                </section>
                <section aria-labelledby="departments-heading">
                    <h2 id="departments-heading">"Shop by department"</h2>
                    <ul class="department-tiles">
                        {home
                            .departments
                            .into_iter()
                            .map(|d| {
                                let href = format!("/category/{}", d.slug);
                                view! { <li><a href=href class="tile">{d.name}</a></li> }
                            })
                            .collect_view()}
                    </ul>
                </section>
                <section aria-labelledby="featured-heading">
                    <h2 id="featured-heading">"Featured"</h2>
                    <ProductGrid products=home.featured above_the_fold=true />
                </section>
                <section aria-labelledby="new-heading">
                    <h2 id="new-heading">"New arrivals"</h2>
                    <ProductGrid products=home.new_arrivals />
                </section>
            }
            .into_any()
        })
    };
    view! { <Transition fallback=Loading>{content}</Transition> }
}
