//! Grids of product cards.

use crate::catalog::model::ProductCard;
use leptos::prelude::*;
use leptos_router::components::A;

/// Cards in the widest grid's first row (4 columns; two rows on a phone).
const FIRST_ROW: usize = 4;

/// A grid of product cards. With `above_the_fold`, the first row's images are fetched
/// first and at once (one of them is usually the page's largest paint); every other
/// image waits until it is about to scroll into view.
#[component]
pub fn ProductGrid(
    products: Vec<ProductCard>,
    #[prop(optional)] above_the_fold: bool,
) -> impl IntoView {
    view! {
        <ul class="product-grid">
            {products
                .into_iter()
                .enumerate()
                .map(|(index, product)| {
                    let eager = above_the_fold && index < FIRST_ROW;
                    view! { <li><ProductCardView product eager /></li> }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
pub fn ProductCardView(product: ProductCard, #[prop(optional)] eager: bool) -> impl IntoView {
    let href = format!("/product/{}", product.slug);
    let from = if product.has_price_range { "from " } else { "" };
    let price = match &product.sale_price {
        Some(sale) => view! {
            <span class="sale-price" data-testid="sale-price">{format!("{from}{sale}")}</span>
            " "
            <s class="was-price"><span class="visually-hidden">"was "</span>{product.from_price.to_string()}</s>
        }
        .into_any(),
        None => format!("{from}{}", product.from_price).into_any(),
    };
    view! {
        <article class="product-card">
            <A href=href attr:class="product-card-link">
                // The card's name already says what the link is: the picture inside it is
                // decoration (an alt text repeating the name would be read twice).
                {product.image.map(|image| view! {
                    <img
                        src=image.url
                        alt=""
                        width="320"
                        height="320"
                        loading=if eager { "eager" } else { "lazy" }
                        fetchpriority=if eager { "high" } else { "auto" }
                        decoding="async"
                    />
                })}
                <h3 class="product-card-name">{product.name}</h3>
            </A>
            <p class="product-card-price">{price}</p>
            {(!product.in_stock).then(|| view! { <p class="badge badge-muted">"Out of stock"</p> })}
        </article>
    }
}
