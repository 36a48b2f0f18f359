//! Grids of product cards.

use crate::catalog::model::ProductCard;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ProductGrid(products: Vec<ProductCard>) -> impl IntoView {
    view! {
        <ul class="product-grid">
            {products
                .into_iter()
                .map(|product| view! { <li><ProductCardView product /></li> })
                .collect_view()}
        </ul>
    }
}

#[component]
pub fn ProductCardView(product: ProductCard) -> impl IntoView {
    let href = format!("/product/{}", product.slug);
    let price = if product.has_price_range {
        format!("from {}", product.from_price)
    } else {
        product.from_price.to_string()
    };
    view! {
        <article class="product-card">
            <A href=href attr:class="product-card-link">
                // The card's name already says what the link is: the picture inside it is
                // decoration (an alt text repeating the name would be read twice).
                {product.image.map(|image| view! {
                    <img src=image.url alt="" width="320" height="320" loading="lazy" decoding="async" />
                })}
                <h3 class="product-card-name">{product.name}</h3>
            </A>
            <p class="product-card-price">{price}</p>
            {(!product.in_stock).then(|| view! { <p class="badge badge-muted">"Out of stock"</p> })}
        </article>
    }
}
