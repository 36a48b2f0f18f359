//! `/category/{slug}`: a category's products (subcategories included), sorted and paged.

use super::grid::ProductGrid;
use super::{Breadcrumbs, Loading};
use crate::catalog::api::get_category_listing;
use crate::catalog::query::{listing_request_from_url, SortOrder};
use crate::catalog::structured_data::{listing_json_ld, JsonLd};
use crate::components::meta::{site_info, PageMeta};
use crate::components::notices::{ErrorPanel, Notices};
use crate::components::pagination::Pagination;
use crate::kernel::encoding::encode_query;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CategoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let parsed = Memo::new(move |_| {
        let slug = params.read().get("slug").unwrap_or_default();
        let query = query.read();
        listing_request_from_url(&slug, |key| query.get(key))
    });
    let listing = Resource::new(move || parsed.get().0, get_category_listing);

    let content = move || {
        Suspend::new(async move {
            let site = site_info().await;
            let (request, notices) = parsed.get_untracked();
            let listing = match listing.await {
                Ok(listing) => listing,
                Err(error) => return view! { <ErrorPanel error /> }.into_any(),
            };
            let slug = listing.category.slug.clone();
            let sort = request.sort;
            let href_for = {
                let slug = slug.clone();
                move |page: u32, sort: SortOrder| {
                    let mut pairs = Vec::new();
                    if sort != SortOrder::Newest {
                        pairs.push(("sort", sort.key().to_owned()));
                    }
                    if page > 1 {
                        pairs.push(("page", page.to_string()));
                    }
                    let query = encode_query(&pairs);
                    if query.is_empty() {
                        format!("/category/{slug}")
                    } else {
                        format!("/category/{slug}?{query}")
                    }
                }
            };
            let page = &listing.products;
            let total_pages = page.total_pages();
            let past_the_end = page.is_past_the_end();
            let canonical = href_for(request.page, sort);
            let description = if listing.description.is_empty() {
                format!(
                    "{} at {}: {} products.",
                    listing.category.name, site.store_name, page.total_items
                )
            } else {
                listing.description.clone()
            };
            let title = if request.page > 1 {
                format!("{} — page {}", listing.category.name, request.page)
            } else {
                listing.category.name.clone()
            };
            let sort_links = SortOrder::LISTING_CHOICES
                .into_iter()
                .map(|choice| {
                    let href = href_for(1, choice);
                    let current = (choice == sort).then_some("true");
                    view! { <li><a href=href aria-current=current>{choice.label()}</a></li> }
                })
                .collect_view();
            let total_items = page.total_items;
            let subcategories = listing.subcategories.clone();
            let current_page = page.number;
            view! {
                <JsonLd json=listing_json_ld(&listing.products.items, Some(&listing.breadcrumbs), &site.public_url) />
                <PageMeta site title description canonical_path=canonical />
                <Breadcrumbs trail=listing.breadcrumbs />
                <h1>{listing.category.name.clone()}</h1>
                {(!listing.description.is_empty()).then(|| view! { <p class="lead">{listing.description.clone()}</p> })}
                <Notices notices />
                {(!subcategories.is_empty()).then(|| view! {
                    <nav aria-label="Subcategories">
                        <ul class="chips">
                            {subcategories.into_iter().map(|c| {
                                let href = format!("/category/{}", c.slug);
                                view! { <li><a href=href class="chip">{c.name}</a></li> }
                            }).collect_view()}
                        </ul>
                    </nav>
                })}
                <div class="listing-toolbar">
                    <p class="result-count" data-testid="result-count">{format!("{total_items} products")}</p>
                    <nav aria-label="Sort products" class="sort-links">
                        <span>"Sort by:"</span>
                        <ul>{sort_links}</ul>
                    </nav>
                </div>
                {past_the_end.then(|| {
                    let first = href_for(1, sort);
                    view! {
                        <p class="notice" role="status">
                            {format!("There is no page {current_page}; this category has {total_pages} pages. ")}
                            <a href=first>"Go to the first page"</a>
                        </p>
                    }
                })}
                {(total_items == 0).then(|| view! { <p class="empty">"There are no products in this category yet."</p> })}
                // Cards name products in h3: the outline goes h1 → h2 → h3 without a jump.
                <h2 class="visually-hidden">"Products"</h2>
                <ProductGrid products=listing.products.items.clone() above_the_fold=true />
                <Pagination current=current_page total_pages href_for=move |n| href_for(n, sort) />
            }
            .into_any()
        })
    };
    view! { <Transition fallback=Loading>{content}</Transition> }
}
