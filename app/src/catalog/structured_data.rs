//! Structured data for search engines (schema.org as JSON-LD): a product page describes
//! its product, offers and breadcrumb trail; a listing the products it lists. Built the
//! same way on the server and in the browser, so hydration meets the same text; every
//! string goes through `json_string`, so no text can close the `<script>` element.

use crate::catalog::model::{CategoryLink, ProductCard, ProductDetail};
use crate::components::meta::page_nonce;
use crate::kernel::encoding::json_string;
use crate::kernel::money::{major_units_text, Money};
use leptos::prelude::*;

/// The page's JSON-LD block. It carries the render's CSP nonce like every other script
/// element of the page (browsers never run it; the nonce keeps the rule without exceptions).
#[component]
pub fn JsonLd(json: String) -> impl IntoView {
    view! { <script nonce=page_nonce() type="application/ld+json" inner_html=json></script> }
}

fn price(money: &Money) -> String {
    json_string(&major_units_text(money.minor_units, &money.currency))
}

fn breadcrumbs(trail: &[CategoryLink], last: Option<(&str, &str)>, public_url: &str) -> String {
    let mut items: Vec<(String, String)> = vec![("Home".to_owned(), format!("{public_url}/"))];
    items.extend(
        trail
            .iter()
            .map(|c| (c.name.clone(), format!("{public_url}/category/{}", c.slug))),
    );
    if let Some((name, path)) = last {
        items.push((name.to_owned(), format!("{public_url}{path}")));
    }
    let elements: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(index, (name, url))| {
            format!(
                r#"{{"@type":"ListItem","position":{},"name":{},"item":{}}}"#,
                index + 1,
                json_string(name),
                json_string(url)
            )
        })
        .collect();
    format!(
        r#"{{"@type":"BreadcrumbList","itemListElement":[{}]}}"#,
        elements.join(",")
    )
}

/// The product, an offer per variant (price, currency, availability) and its breadcrumbs.
pub fn product_json_ld(product: &ProductDetail, public_url: &str) -> String {
    let url = format!("{public_url}/product/{}", product.slug);
    let offers: Vec<String> = product
        .variants
        .iter()
        .map(|variant| {
            let availability = if variant.stock > 0 { "InStock" } else { "OutOfStock" };
            format!(
                r#"{{"@type":"Offer","sku":{},"price":{},"priceCurrency":{},"availability":"https://schema.org/{availability}","url":{}}}"#,
                json_string(&variant.sku),
                price(variant.sale_price.as_ref().unwrap_or(&variant.price)),
                json_string(variant.price.currency.as_str()),
                json_string(&url)
            )
        })
        .collect();
    let images: Vec<String> = product
        .images
        .iter()
        .map(|image| {
            let absolute = if image.url.starts_with('/') {
                format!("{public_url}{}", image.url)
            } else {
                image.url.clone()
            };
            json_string(&absolute)
        })
        .collect();
    let product_node = format!(
        r#"{{"@type":"Product","name":{},"description":{},"url":{},"image":[{}],"offers":[{}]}}"#,
        json_string(&product.name),
        json_string(&product.description),
        json_string(&url),
        images.join(","),
        offers.join(",")
    );
    let trail = breadcrumbs(
        &product.breadcrumbs,
        Some((&product.name, &format!("/product/{}", product.slug))),
        public_url,
    );
    format!(r#"{{"@context":"https://schema.org","@graph":[{product_node},{trail}]}}"#)
}

/// The products a listing shows, in order, and (for a category) its breadcrumbs.
pub fn listing_json_ld(
    products: &[ProductCard],
    trail: Option<&[CategoryLink]>,
    public_url: &str,
) -> String {
    let elements: Vec<String> = products
        .iter()
        .enumerate()
        .map(|(index, product)| {
            format!(
                r#"{{"@type":"ListItem","position":{},"url":{},"name":{}}}"#,
                index + 1,
                json_string(&format!("{public_url}/product/{}", product.slug)),
                json_string(&product.name)
            )
        })
        .collect();
    let list = format!(
        r#"{{"@type":"ItemList","itemListElement":[{}]}}"#,
        elements.join(",")
    );
    match trail {
        Some(trail) => format!(
            r#"{{"@context":"https://schema.org","@graph":[{list},{}]}}"#,
            breadcrumbs(trail, None, public_url)
        ),
        None => format!(r#"{{"@context":"https://schema.org","@graph":[{list}]}}"#),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::catalog::model::{Image, Variant};
    use crate::kernel::money::CurrencyCode;

    fn product() -> ProductDetail {
        let usd = CurrencyCode::parse("USD").unwrap();
        ProductDetail {
            id: 1,
            slug: "linen-shirt".into(),
            name: "Linen \"Shirt\" </script>".into(),
            category_id: 2,
            description: "Cool & light".into(),
            breadcrumbs: vec![CategoryLink {
                id: 2,
                parent_id: None,
                slug: "tops".into(),
                name: "Tops".into(),
            }],
            option_names: vec!["Size".into()],
            variants: vec![
                Variant {
                    id: 10,
                    sku: "LS-M".into(),
                    option_values: vec!["M".into()],
                    price: Money::new(1999, usd.clone()),
                    sale_price: None,
                    stock: 3,
                },
                Variant {
                    id: 11,
                    sku: "LS-L".into(),
                    option_values: vec!["L".into()],
                    price: Money::new(2099, usd),
                    sale_price: None,
                    stock: 0,
                },
            ],
            images: vec![Image {
                url: "/media/uploads/a.webp".into(),
                alt_text: "A shirt".into(),
            }],
        }
    }

    #[test]
    fn a_product_page_describes_its_offers_and_trail_as_valid_json() {
        let text = product_json_ld(&product(), "https://shop.example");
        assert!(!text.contains("</script>"));
        let data: serde_json::Value = serde_json::from_str(&text).unwrap();
        let product = &data["@graph"][0];
        assert_eq!(product["@type"], "Product");
        assert_eq!(product["name"], "Linen \"Shirt\" </script>");
        assert_eq!(
            product["image"][0],
            "https://shop.example/media/uploads/a.webp"
        );
        assert_eq!(product["offers"][0]["price"], "19.99");
        assert_eq!(product["offers"][0]["priceCurrency"], "USD");
        assert_eq!(
            product["offers"][0]["availability"],
            "https://schema.org/InStock"
        );
        assert_eq!(
            product["offers"][1]["availability"],
            "https://schema.org/OutOfStock"
        );
        let trail = &data["@graph"][1]["itemListElement"];
        assert_eq!(trail[1]["item"], "https://shop.example/category/tops");
        assert_eq!(trail[2]["item"], "https://shop.example/product/linen-shirt");
    }
}
