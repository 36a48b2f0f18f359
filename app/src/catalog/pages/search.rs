//! `/search?q=`: full-text search with category, price and stock filters that show counts.

use super::grid::ProductGrid;
use super::Loading;
use crate::catalog::api::search_catalog;
use crate::catalog::model::{PriceBand, SearchResults};
use crate::catalog::query::{search_request_from_url, SearchRequest, SortOrder};
use crate::components::meta::{site_info, PageMeta};
use crate::components::notices::{ErrorPanel, Notices};
use crate::components::pagination::Pagination;
use crate::kernel::money::Money;
use crate::kernel::money::{major_units_text, store_currency};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

fn search_href(request: &SearchRequest) -> String {
    format!("/search?{}", request.to_query_string())
}

fn band_label(band: PriceBand) -> String {
    let money = |minor| Money::new(minor, store_currency()).to_string();
    match band.max_minor {
        None => format!("{} and above", money(band.min_minor)),
        Some(_) if band.min_minor == 0 => {
            format!("Under {}", money(band.max_minor.unwrap_or(0) + 1))
        }
        Some(max) => format!("{} to {}", money(band.min_minor), money(max + 1)),
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let parsed = Memo::new(move |_| {
        let query = query.read();
        search_request_from_url(|key| query.get(key))
    });
    let results = Resource::new(move || parsed.get().0, search_catalog);

    let content = move || {
        Suspend::new(async move {
            let site = site_info().await;
            let (request, notices) = parsed.get_untracked();
            let results = match results.await {
                Ok(results) => results,
                Err(error) => return view! { <ErrorPanel error /> }.into_any(),
            };
            let title = if request.text.is_empty() {
                "Search".to_owned()
            } else {
                format!("Search results for “{}”", request.text)
            };
            let description = format!("Search the {} catalog.", site.store_name);
            let canonical = search_href(&SearchRequest {
                text: request.text.clone(),
                page: request.page,
                ..Default::default()
            });
            view! {
                <PageMeta site title=title.clone() description canonical_path=canonical />
                <h1>{title}</h1>
                <Notices notices />
                {if request.text.is_empty() {
                    view! { <p class="empty">"Type a word in the search box to find products, for example “shirt” or “lamp”."</p> }.into_any()
                } else {
                    view! { <SearchBody request results /> }.into_any()
                }}
            }
            .into_any()
        })
    };
    view! { <Transition fallback=Loading>{content}</Transition> }
}

#[component]
fn SearchBody(request: SearchRequest, results: SearchResults) -> impl IntoView {
    let page = results.products;
    let total = page.total_items;
    let total_pages = page.total_pages();
    let current_page = page.number;
    let sort_links = SortOrder::SEARCH_CHOICES
        .into_iter()
        .map(|choice| {
            let href = search_href(&SearchRequest {
                sort: choice,
                page: 1,
                ..request.clone()
            });
            let current = (choice == request.sort).then_some("true");
            view! { <li><a href=href aria-current=current>{choice.label()}</a></li> }
        })
        .collect_view();
    let paging_request = request.clone();
    view! {
        <div class="search-layout">
            <Filters request=request.clone() facets=results.facets />
            <section class="search-results" aria-label="Results">
                <div class="listing-toolbar">
                    <p class="result-count" data-testid="result-count">
                        {match total { 1 => "1 product".to_owned(), n => format!("{n} products") }}
                    </p>
                    <nav aria-label="Sort results" class="sort-links">
                        <span>"Sort by:"</span>
                        <ul>{sort_links}</ul>
                    </nav>
                </div>
                {(total == 0).then(|| view! {
                    <p class="empty">"Nothing matched. Try fewer words, another spelling, or remove a filter."</p>
                })}
                {page.is_past_the_end().then(|| view! {
                    <p class="notice" role="status">{format!("There is no page {current_page}; the results have {total_pages} pages.")}</p>
                })}
                <h2 class="visually-hidden">"Results"</h2>
                <ProductGrid products=page.items above_the_fold=true />
                <Pagination
                    current=current_page
                    total_pages
                    href_for=move |n| search_href(&SearchRequest { page: n, ..paging_request.clone() })
                />
            </section>
        </div>
    }
}

#[component]
fn Filters(request: SearchRequest, facets: crate::catalog::model::Facets) -> impl IntoView {
    let currency = store_currency();
    let any_category = search_href(&SearchRequest {
        category_slug: None,
        page: 1,
        ..request.clone()
    });
    let category_links = facets
        .categories
        .into_iter()
        .map(|facet| {
            let selected = request.category_slug.as_deref() == Some(facet.slug.as_str());
            let href = search_href(&SearchRequest {
                category_slug: Some(facet.slug.clone()),
                page: 1,
                ..request.clone()
            });
            let current = selected.then_some("true");
            view! {
                <li>
                    <a href=href class="facet-link" aria-current=current>
                        <span>{facet.name}</span>
                        <span class="count">{facet.count}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let band_links = facets
        .price_bands
        .into_iter()
        .map(|facet| {
            let selected = request.price_min_minor == Some(facet.band.min_minor)
                && request.price_max_minor == facet.band.max_minor;
            let href = search_href(&request.with_price_band(facet.band));
            let current = selected.then_some("true");
            view! {
                <li>
                    <a href=href class="facet-link" aria-current=current>
                        <span>{band_label(facet.band)}</span>
                        <span class="count">{facet.count}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let any_price = search_href(&SearchRequest {
        price_min_minor: None,
        price_max_minor: None,
        page: 1,
        ..request.clone()
    });
    let stock_href = search_href(&SearchRequest {
        in_stock_only: !request.in_stock_only,
        page: 1,
        ..request.clone()
    });
    let stock_label = if request.in_stock_only {
        "Include out of stock"
    } else {
        "In stock only"
    };
    let min_text = request
        .price_min_minor
        .map(|m| major_units_text(m, &currency))
        .unwrap_or_default();
    let max_text = request
        .price_max_minor
        .map(|m| major_units_text(m, &currency))
        .unwrap_or_default();
    view! {
        <aside class="filters" aria-label="Filters">
            <section>
                <h2>"Category"</h2>
                <ul class="facet-list">
                    {request.category_slug.is_some().then(|| view! { <li><a href=any_category.clone() class="facet-link">"All categories"</a></li> })}
                    {category_links}
                </ul>
            </section>
            <section>
                <h2>"Price"</h2>
                <ul class="facet-list">
                    {(request.price_min_minor.is_some() || request.price_max_minor.is_some()).then(|| view! { <li><a href=any_price.clone() class="facet-link">"Any price"</a></li> })}
                    {band_links}
                </ul>
                <Form action="/search" attr:class="price-form">
                    <input type="hidden" name="q" value=request.text.clone() />
                    {request.category_slug.clone().map(|slug| view! { <input type="hidden" name="category" value=slug /> })}
                    {request.in_stock_only.then(|| view! { <input type="hidden" name="in_stock" value="1" /> })}
                    <label for="price-min">"Min"</label>
                    <input id="price-min" type="text" name="price_min" inputmode="decimal" size="6" value=min_text />
                    <label for="price-max">"Max"</label>
                    <input id="price-max" type="text" name="price_max" inputmode="decimal" size="6" value=max_text />
                    <button type="submit">"Apply"</button>
                </Form>
            </section>
            <section>
                <h2>"Availability"</h2>
                <ul class="facet-list">
                    <li>
                        <a href=stock_href class="facet-link" aria-current=request.in_stock_only.then_some("true")>
                            <span>{stock_label}</span>
                            <span class="count">{facets.in_stock}</span>
                        </a>
                    </li>
                </ul>
            </section>
        </aside>
    }
}
