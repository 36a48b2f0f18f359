//! Catalog server functions: thin adapters that validate input and call the read side.

use crate::catalog::model::{CategoryListing, HomeContent, ProductDetail, SearchResults};
use crate::catalog::query::{ListingRequest, SearchRequest};
use crate::kernel::error::AppError;
use crate::kernel::site::Navigation;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::catalog::reads::catalog_reads, crate::kernel::context::serve};

/// Sale prices from the live automatic promotions, put on cards read from the cache.
#[cfg(feature = "ssr")]
mod sale {
    use crate::catalog::model::{ProductCard, ProductDetail};
    use crate::kernel::money::Money;
    use crate::promotions::engine::{sale_price, Item, Offer};

    /// What one unit at `price` of this product sells for, when a promotion applies.
    fn sale_of(
        product_id: i64,
        category_id: i64,
        price: &Money,
        offers: &[Offer],
    ) -> Option<Money> {
        let item = Item {
            product_id,
            category_id,
            unit_price_minor: price.minor_units,
            quantity: 1,
        };
        sale_price(item, offers).map(|minor| Money::new(minor, price.currency.clone()))
    }

    pub fn on_cards(cards: &mut [ProductCard], offers: &[Offer]) {
        if offers.is_empty() {
            return;
        }
        for card in cards {
            card.sale_price = sale_of(card.id, card.category_id, &card.from_price, offers);
        }
    }

    pub fn on_product(product: &mut ProductDetail, offers: &[Offer]) {
        if offers.is_empty() {
            return;
        }
        for variant in &mut product.variants {
            variant.sale_price = sale_of(product.id, product.category_id, &variant.price, offers);
        }
    }
}

#[server(endpoint = "catalog/home")]
pub async fn get_home() -> Result<HomeContent, AppError> {
    serve(|_| async {
        let reads = catalog_reads()?;
        let mut home = reads.home().await?;
        let offers = reads.sale_offers().await?;
        sale::on_cards(&mut home.featured, &offers);
        sale::on_cards(&mut home.new_arrivals, &offers);
        Ok(home)
    })
    .await
}

#[server(endpoint = "catalog/category")]
pub async fn get_category_listing(request: ListingRequest) -> Result<CategoryListing, AppError> {
    serve(|_| async move {
        request.validate()?;
        let reads = catalog_reads()?;
        let mut listing = reads
            .category_listing(&request)
            .await?
            .ok_or_else(|| AppError::not_found("We could not find that category."))?;
        sale::on_cards(&mut listing.products.items, &reads.sale_offers().await?);
        Ok(listing)
    })
    .await
}

#[server(endpoint = "catalog/search")]
pub async fn search_catalog(request: SearchRequest) -> Result<SearchResults, AppError> {
    serve(|_| async move {
        request.validate()?;
        let reads = catalog_reads()?;
        let mut results = reads.search(&request).await?;
        sale::on_cards(&mut results.products.items, &reads.sale_offers().await?);
        Ok(results)
    })
    .await
}

#[server(endpoint = "catalog/product")]
pub async fn get_product(slug: String) -> Result<ProductDetail, AppError> {
    serve(|_| async move {
        let missing = || AppError::not_found("We could not find that product.");
        let slug = crate::kernel::slug::Slug::parse(&slug).map_err(|_| missing())?;
        let reads = catalog_reads()?;
        let mut product = reads.product(slug.as_str()).await?.ok_or_else(missing)?;
        sale::on_product(&mut product, &reads.sale_offers().await?);
        Ok(product)
    })
    .await
}

/// The store's name and address and its departments, for the header of every page.
#[server(endpoint = "site/navigation")]
pub async fn get_navigation() -> Result<Navigation, AppError> {
    serve(|state| async move {
        let reads = catalog_reads()?;
        let tree = reads.category_tree().await?;
        let mut site = state.site;
        let profile = reads.store_profile().await?;
        if let Some(name) = &profile.store_name {
            site.store_name.clone_from(name);
        }
        site.contact_email.clone_from(&profile.contact_email);
        site.contact_address.clone_from(&profile.contact_address);
        Ok(Navigation {
            site,
            departments: tree
                .roots()
                .into_iter()
                .map(|category| crate::kernel::site::Department {
                    slug: category.slug,
                    name: category.name,
                })
                .collect(),
        })
    })
    .await
}
