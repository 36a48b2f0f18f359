//! `/product/{slug}`: a product with a variant picker that updates price and availability
//! in place once the page has hydrated, and through a plain form submit without JavaScript.

use super::{Breadcrumbs, Loading};
use crate::cart::add::BuyForm;
use crate::catalog::api::get_product;
use crate::catalog::model::{ProductDetail, Variant};
use crate::catalog::structured_data::{product_json_ld, JsonLd};
use crate::components::meta::{site_info, PageMeta};
use crate::components::notices::ErrorPanel;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Below this many units the page says how many are left.
const LOW_STOCK_THRESHOLD: i32 = 10;

fn availability(variant: Option<&Variant>) -> (String, &'static str) {
    match variant {
        None => (
            "This combination is not available".to_owned(),
            "unavailable",
        ),
        Some(v) if v.stock <= 0 => ("Out of stock".to_owned(), "out-of-stock"),
        Some(v) if v.stock <= LOW_STOCK_THRESHOLD => {
            (format!("Only {} left", v.stock), "low-stock")
        }
        Some(_) => ("In stock".to_owned(), "in-stock"),
    }
}

fn meta_description(product: &ProductDetail) -> String {
    let text: String = product.description.chars().take(155).collect();
    if text.len() < product.description.len() {
        format!("{}…", text.trim_end())
    } else {
        text
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = Memo::new(move |_| params.read().get("slug").unwrap_or_default());
    let product = Resource::new(move || slug.get(), get_product);

    let content = move || {
        Suspend::new(async move {
            let site = site_info().await;
            let product = match product.await {
                Ok(product) => product,
                Err(error) => return view! { <ErrorPanel error /> }.into_any(),
            };
            let requested: Vec<Option<String>> = (0..product.option_names.len())
                .map(|i| query.with_untracked(|q| q.get(&format!("o{i}"))))
                .collect();
            let initial = product.initial_selection(&requested);
            let canonical = format!("/product/{}", product.slug);
            let description = meta_description(&product);
            let main_image = product.images.first().cloned();
            view! {
                <JsonLd json=product_json_ld(&product, &site.public_url) />
                <PageMeta site title=product.name.clone() description canonical_path=canonical />
                <Breadcrumbs trail=product.breadcrumbs.clone() current=product.name.clone() />
                <div class="product-layout">
                    <div class="product-gallery">
                        {main_image.map(|image| view! {
                            <img src=image.url alt=image.alt_text width="640" height="640" fetchpriority="high" />
                        })}
                    </div>
                    <div class="product-info">
                        <h1>{product.name.clone()}</h1>
                        <VariantPicker product=product.clone() initial />
                        <div class="product-description">
                            {product.description.split("\n\n").map(|p| view! { <p>{p.to_owned()}</p> }).collect_view()}
                        </div>
                    </div>
                </div>
            }
            .into_any()
        })
    };
    view! { <Transition fallback=Loading>{content}</Transition> }
}

#[component]
fn VariantPicker(product: ProductDetail, initial: Vec<String>) -> impl IntoView {
    let selection = RwSignal::new(initial.clone());
    let hydrated = RwSignal::new(false);
    let option_count = initial.len();
    // Runs once, in the browser, when the page has hydrated. Options ticked before then
    // (on a slow link) stay ticked in the page: start from what it shows as chosen.
    Effect::new(move |_| {
        let shown: Vec<String> = (0..option_count)
            .map(|index| {
                document()
                    .query_selector(&format!("input[name=\"o{index}\"]:checked"))
                    .ok()
                    .flatten()
                    .and_then(|input| input.get_attribute("value"))
                    .unwrap_or_else(|| {
                        selection.with_untracked(|s| s.get(index).cloned().unwrap_or_default())
                    })
            })
            .collect();
        selection.set(shown);
        hydrated.set(true);
    });

    let product = StoredValue::new(product);
    let chosen =
        Memo::new(move |_| product.with_value(|p| selection.with(|s| p.variant_for(s).cloned())));
    let price = move || {
        match chosen.get() {
        Some(variant) => match variant.sale_price {
            Some(sale) => view! {
                <span class="sale-price" data-testid="sale-price">{sale.to_string()}</span>
                " "
                <s class="was-price"><span class="visually-hidden">"was "</span>{variant.price.to_string()}</s>
            }
            .into_any(),
            None => variant.price.to_string().into_any(),
        },
        None => "—".into_any(),
    }
    };
    let stock_text = move || availability(chosen.get().as_ref()).0;
    let stock_class = move || format!("availability {}", availability(chosen.get().as_ref()).1);
    let sku = move || chosen.get().map(|v| v.sku).unwrap_or_default();
    let page = product.with_value(|p| format!("/product/{}", p.slug));
    let product_id = product.with_value(|p| p.id);
    let buyable = Signal::derive(move || chosen.get().is_some_and(|v| v.stock > 0));
    let option_names = product.with_value(|p| p.option_names.clone());

    let groups = option_names
        .into_iter()
        .enumerate()
        .map(|(index, name)| {
            let values = product.with_value(|p| p.values_of_option(index));
            let initial_value = initial.get(index).cloned().unwrap_or_default();
            let radios = values
                .into_iter()
                .map(|value| {
                    let id = format!(
                        "option-{index}-{}",
                        value
                            .to_lowercase()
                            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
                    );
                    let checked = value == initial_value;
                    let chosen_value = value.clone();
                    view! {
                        <input
                            type="radio"
                            id=id.clone()
                            name=format!("o{index}")
                            value=value.clone()
                            checked=checked
                            on:change=move |_| selection.update(|s| {
                                if let Some(slot) = s.get_mut(index) {
                                    *slot = chosen_value.clone();
                                }
                            })
                        />
                        <label for=id class="option-chip">{value}</label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="option-group">
                    <legend>{name}</legend>
                    <div class="option-values">{radios}</div>
                </fieldset>
            }
        })
        .collect_view();

    view! {
        <p class="price" data-testid="price" aria-live="polite">{price}</p>
        <p class=stock_class data-testid="availability" aria-live="polite">{stock_text}</p>
        <p class="sku">"SKU: "<span data-testid="sku">{sku}</span></p>
        <BuyForm product_id page buyable hydrated>
            {groups}
        </BuyForm>
    }
}
