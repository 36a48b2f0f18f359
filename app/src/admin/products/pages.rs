//! `/admin/products`: the product list, and the editor at `/admin/products/new` and
//! `/admin/products/{id}`.

use crate::admin::products::api::{
    get_import_report, list_products, product_editor, RemoveProductImage, SaveProduct,
    SetProductVisibility,
};
use crate::admin::ui::{
    busy_label, field_error, field_error_id, field_error_named, next_page_href, query_param,
    successes, toast_results, ListFilters, ListTable,
};
use crate::catalog::manage::model::{
    CategoryChoice, EditorData, ImportReport, ProductFilter, ProductList, ProductSnapshot,
    CSV_COLUMNS,
};
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use crate::kernel::money::{major_units_text, store_currency};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn ProductListPage() -> impl IntoView {
    let search = query_param("search");
    let category = query_param("category");
    let status = query_param("status");
    let before = query_param("before");
    let filter = move || ProductFilter {
        search: search.get(),
        category: category.get(),
        status: status.get(),
        before_id: before.get().parse().ok(),
    };
    let products = Resource::new(filter, list_products);
    let categories = Resource::new(|| (), |_| product_editor(None));
    let category_options = move || {
        Suspend::new(async move {
            let choices = categories.await.map(|d| d.categories).unwrap_or_default();
            choices
                .into_iter()
                .map(|c| {
                    let value = c.id.to_string();
                    let selected = category.get_untracked() == value;
                    view! { <option value=value selected=selected>{c.path}</option> }
                })
                .collect_view()
        })
    };
    let rows = move || {
        Suspend::new(async move {
            match products.await {
                Ok(list) => view! { <ProductTable list filter=filter() /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    let statuses = [
        ("", "Active (not archived)"),
        ("published", "Published"),
        ("draft", "Drafts"),
        ("archived", "Archived"),
        ("all", "All"),
    ];
    view! {
        {page_meta("Products · Staff area", "The catalog.", "/admin/products")}
        <div class="admin-heading">
            <h1>"Products"</h1>
            <span>
                <A href="/admin/import" attr:class="button secondary">"Import or export CSV"</A>
                " "
                <A href="/admin/products/new" attr:class="button">"New product"</A>
            </span>
        </div>
        <ListFilters action="/admin/products">
            <label>"Search (words or an exact SKU)" <input type="search" name="search" maxlength="200" prop:value=move || search.get() /></label>
            <label>"Category"
                <select name="category">
                    <option value="">"All categories"</option>
                    <Suspense fallback=|| ()>{category_options}</Suspense>
                </select>
            </label>
            <label>"Status"
                <select name="status">
                    {statuses.into_iter().map(|(value, label)| view! {
                        <option value=value selected=move || status.get() == value>{label}</option>
                    }).collect_view()}
                </select>
            </label>
        </ListFilters>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading products…"</p> }>{rows}</Transition>
    }
}

#[component]
fn ProductTable(list: ProductList, filter: ProductFilter) -> impl IntoView {
    let next = next_page_href(
        "/admin/products",
        &[
            ("search", filter.search),
            ("category", filter.category),
            ("status", filter.status),
        ],
        list.next_before_id,
    );
    view! {
        <ListTable
            test_id="product-table"
            caption="Products, newest first"
            columns=&["Name", "Category", "Price", "Variants", "Stock", "Status"]
            empty="No products match."
            is_empty=list.rows.is_empty()
            next
        >
                {list.rows.into_iter().map(|p| view! {
                    <tr>
                        <td><A href=format!("/admin/products/{}", p.id)>{p.name}</A></td>
                        <td>{p.category}</td>
                        <td>{p.price}</td>
                        <td>{p.variants}</td>
                        <td>{p.stock}</td>
                        <td><span class=format!("badge {}", p.status.label().to_lowercase())>{p.status.label()}</span></td>
                    </tr>
                }).collect_view()}
        </ListTable>
    }
}

#[component]
pub fn ProductEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let save = ServerAction::<SaveProduct>::new();
    let visibility = ServerAction::<SetProductVisibility>::new();
    toast_results(save, "Product saved.");
    toast_results(visibility, "Product updated.");
    let (saved, changed) = (successes(save), successes(visibility));
    let data = Resource::new(
        move || (id.get(), saved.get(), changed.get()),
        |(id, _, _)| product_editor(id),
    );
    // A new product, once saved, continues in its own editor.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let (None, Some(Ok(new_id))) = (id.get_untracked(), save.value().get()) {
            navigate(&format!("/admin/products/{new_id}"), Default::default());
        }
    });
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(data) => view! { <ProductEditor data save visibility /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Edit product · Staff area", "The product editor.", "/admin/products")}
        <p><A href="/admin/products">"← All products"</A></p>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the product…"</p> }>{content}</Transition>
    }
}

/// One row of the variants table (an existing variant, or a spare empty one).
#[derive(Clone, Default)]
struct VariantRow {
    id: String,
    sku: String,
    options: String,
    price: String,
    stock: Option<i32>,
    low_stock_threshold: String,
}

#[component]
fn ProductEditor(
    data: EditorData,
    save: ServerAction<SaveProduct>,
    visibility: ServerAction<SetProductVisibility>,
) -> impl IntoView {
    let currency = store_currency();
    let product = data.product.clone();
    let existing: Vec<VariantRow> = product
        .as_ref()
        .map(|p| {
            p.variants
                .iter()
                .map(|v| VariantRow {
                    id: v.id.to_string(),
                    sku: v.sku.clone(),
                    options: v.option_values.join(", "),
                    price: major_units_text(v.price_minor, &currency),
                    stock: Some(v.stock),
                    low_stock_threshold: v.low_stock_threshold.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let spare_rows = RwSignal::new(1);
    let first_spare = existing.len();
    let heading = product
        .as_ref()
        .map_or_else(|| "New product".to_owned(), |p| p.name.clone());
    let p = product.clone();
    let text = move |f: fn(&ProductSnapshot) -> String| p.as_ref().map(f).unwrap_or_default();
    let published = product.as_ref().is_some_and(|p| p.is_published);
    let featured = product.as_ref().is_some_and(|p| p.is_featured);
    let category_id = product.as_ref().map(|p| p.category_id);
    let tax_category_id = product.as_ref().and_then(|p| p.tax_category_id);
    view! {
        <h1>{heading}</h1>
        {product.clone().map(|p| view! { <VisibilityBar product=p visibility /> })}
        {product.clone().map(|p| view! { <ImageGallery product=p /> })}
        {action_error(save)}
        <ActionForm action=save attr:class="editor-form" attr:data-testid="product-form">
            <input type="hidden" name="form[id]" value=text(|p| p.id.to_string()) />
            <input type="hidden" name="form[version]" value=text(|p| p.version.clone()) />
            <div class="field">
                <label for="product-name">"Name"</label>
                <input id="product-name" name="form[name]" required maxlength="200" value=text(|p| p.name.clone()) aria-describedby=field_error_id("name") />
                {field_error(save, "name")}
            </div>
            <div class="field">
                <label for="product-slug">"Address (slug; empty: made from the name)"</label>
                <input id="product-slug" name="form[slug]" maxlength="100" value=text(|p| p.slug.clone()) aria-describedby=field_error_id("slug") />
                {field_error(save, "slug")}
            </div>
            <div class="field">
                <label for="product-category">"Category"</label>
                <select id="product-category" name="form[category_id]" required aria-describedby=field_error_id("category_id")>
                    <option value="">"Choose…"</option>
                    {data.categories.into_iter().map(|CategoryChoice { id, path }| view! {
                        <option value=id.to_string() selected=category_id == Some(id)>{path}</option>
                    }).collect_view()}
                </select>
                {field_error(save, "category_id")}
            </div>
            <div class="field-pair">
                <div class="field">
                    <label for="product-weight">"Packed weight (grams, or e.g. 1.5 kg)"</label>
                    <input id="product-weight" name="form[weight]" inputmode="decimal" maxlength="16" value=text(|p| if p.weight_grams == 0 { String::new() } else { p.weight_grams.to_string() }) aria-describedby=field_error_id("weight") />
                    {field_error(save, "weight")}
                </div>
                <div class="field">
                    <label for="product-tax-category">"Tax category"</label>
                    <select id="product-tax-category" name="form[tax_category_id]" aria-describedby=field_error_id("tax_category_id")>
                        <option value="" selected=tax_category_id.is_none()>"As its category"</option>
                        {data.tax_categories.into_iter().map(|(id, name)| view! {
                            <option value=id.to_string() selected=tax_category_id == Some(id)>{name}</option>
                        }).collect_view()}
                    </select>
                    {field_error(save, "tax_category_id")}
                </div>
            </div>
            <div class="field">
                <label for="product-description">"Description"</label>
                <textarea id="product-description" name="form[description]" rows="5" maxlength="20000" aria-describedby=field_error_id("description")>{text(|p| p.description.clone())}</textarea>
                {field_error(save, "description")}
            </div>
            <div class="field">
                <label for="product-options">"Option names, separated by commas (e.g. Size, Colour; empty for none)"</label>
                <input id="product-options" name="form[option_names]" maxlength="160" value=text(|p| p.option_names.join(", ")) aria-describedby=field_error_id("option_names") />
                {field_error(save, "option_names")}
            </div>
            <div class="choice">
                <input id="product-published" type="checkbox" name="form[published]" value="on" checked=published />
                <label for="product-published">"Published (visible in the store)"</label>
            </div>
            <div class="choice">
                <input id="product-featured" type="checkbox" name="form[featured]" value="on" checked=featured />
                <label for="product-featured">"Featured on the home page"</label>
            </div>
            <fieldset>
                <legend>"Variants (prices in " {currency.as_str().to_owned()} ")"</legend>
                {field_error(save, "variants")}
                <table class="admin-table variants-table">
                    <thead><tr><th scope="col">"SKU"</th><th scope="col">"Option values"</th><th scope="col">"Price"</th><th scope="col">"Stock"</th><th scope="col">"Low-stock line"</th><th scope="col">"Remove"</th></tr></thead>
                    <tbody>
                        {existing.into_iter().enumerate().map(|(index, row)| view! { <VariantFields index row save /> }).collect_view()}
                        {move || (0..spare_rows.get()).map(|n| view! { <VariantFields index=first_spare + n row=VariantRow::default() save /> }).collect_view()}
                    </tbody>
                </table>
                <button type="button" class="secondary" on:click=move |_| spare_rows.update(|n| *n += 1)>"Add another variant"</button>
            </fieldset>
            <button type="submit" disabled=move || save.pending().get() aria-busy=move || save.pending().get().to_string()>
                {busy_label(save, "Save product", "Saving…")}
            </button>
        </ActionForm>
    }
    .into_any()
}

#[component]
fn VariantFields(index: usize, row: VariantRow, save: ServerAction<SaveProduct>) -> impl IntoView {
    let name = move |field: &str| format!("form[variants][{index}][{field}]");
    let error_field = move |field: &str| format!("variants.{index}.{field}");
    let label = |what: &str| format!("{what} of variant {}", index + 1);
    let is_new = row.id.is_empty();
    view! {
        <tr>
            <td>
                <input type="hidden" name=name("id") value=row.id.clone() />
                <input name=name("sku") value=row.sku aria-label=label("SKU") maxlength="64" aria-describedby=field_error_id(&error_field("sku")) />
                {field_error_named(save, error_field("sku"))}
            </td>
            <td>
                <input name=name("options") value=row.options aria-label=label("Option values") maxlength="160" aria-describedby=field_error_id(&error_field("options")) />
                {field_error_named(save, error_field("options"))}
            </td>
            <td>
                <input name=name("price") value=row.price aria-label=label("Price") inputmode="decimal" size="8" aria-describedby=field_error_id(&error_field("price")) />
                {field_error_named(save, error_field("price"))}
            </td>
            <td>
                {if is_new {
                    view! {
                        <input name=name("stock") aria-label=label("Opening stock") inputmode="numeric" size="6" />
                        {field_error_named(save, error_field("stock"))}
                    }.into_any()
                } else {
                    let stock = row.stock.unwrap_or_default();
                    view! { <A href=format!("/admin/stock?variant={}", row.id)>{stock} " (adjust)"</A> }.into_any()
                }}
            </td>
            <td>
                <input name=name("low_stock_threshold") value=row.low_stock_threshold aria-label=label("Low-stock line") inputmode="numeric" size="5" />
                {field_error_named(save, error_field("low_stock_threshold"))}
            </td>
            <td>
                {(!is_new).then(|| view! { <input type="checkbox" name=name("remove") value="on" aria-label=label("Remove") /> })}
            </td>
        </tr>
    }
    .into_any()
}

/// Publish, unpublish, archive and restore, with the product's state and store link.
#[component]
fn VisibilityBar(
    product: ProductSnapshot,
    visibility: ServerAction<SetProductVisibility>,
) -> impl IntoView {
    let id = product.id.to_string();
    let (state, choices): (&str, &[(&str, &str)]) = if product.archived {
        (
            "Archived: not in the store",
            &[("restore", "Restore from the archive")],
        )
    } else if product.is_published {
        (
            "Published: in the store",
            &[("unpublish", "Unpublish"), ("archive", "Archive")],
        )
    } else {
        (
            "Draft: not in the store",
            &[("publish", "Publish"), ("archive", "Archive")],
        )
    };
    let store_link = product
        .is_published
        .then(|| view! { <a href=format!("/product/{}", product.slug)>"View in the store"</a> });
    view! {
        <div class="visibility-bar">
            <span data-testid="product-state">{state}</span>
            {store_link}
            {choices.iter().map(|&(value, label)| {
                let id = id.clone();
                let confirm_id = format!("confirm-{value}");
                let destructive = value == "archive";
                view! {
                    <ActionForm action=visibility attr:class="inline-form">
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="visibility" value=value />
                        {destructive.then(|| view! {
                            <input id=confirm_id.clone() type="checkbox" required />
                            <label for=confirm_id.clone()>"Confirm"</label>
                        })}
                        <button type="submit" class=if destructive { "danger" } else { "secondary" } disabled=move || visibility.pending().get()>{label}</button>
                    </ActionForm>
                }
            }).collect_view()}
        </div>
        {action_error(visibility)}
    }
    .into_any()
}

/// `/admin/import`: import and export the catalog as CSV, and the last import's report.
#[component]
pub fn CatalogImportPage() -> impl IntoView {
    let report_id = query_param("report");
    let report = Resource::new(
        move || report_id.get().parse::<i64>().ok(),
        |id| async move {
            match id {
                Some(id) => get_import_report(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let outcome = move || {
        Suspend::new(async move {
            match report.await {
                Ok(Some(report)) => view! { <ImportOutcome report /> }.into_any(),
                Ok(None) => ().into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Import and export · Staff area", "The catalog as CSV.", "/admin/import")}
        <h1>"Import and export"</h1>
        <Transition fallback=|| ()>{outcome}</Transition>
        <section class="panel" aria-labelledby="export-heading">
            <h2 id="export-heading">"Export"</h2>
            <p>"Every variant, one row each, with its product, category, price and stock."</p>
            <p><a class="button secondary" href="/admin/catalog/export.csv" download="catalog.csv" rel="external">"Download catalog.csv"</a></p>
        </section>
        <section class="panel" aria-labelledby="import-heading">
            <h2 id="import-heading">"Import"</h2>
            <p>"Columns: " <code>{CSV_COLUMNS.join(",")}</code> ". The first six are required. Rows create or update products (by slug) and variants (by SKU); stock is set to the file's figure and the change is recorded in the stock ledger. Several option names or values are separated by " <code>"|"</code> ". If any row is wrong, nothing is imported and every wrong row is listed."</p>
            <form method="post" action="/admin/catalog/import" enctype="multipart/form-data" class="account-form">
                <label for="import-file">"CSV file (up to 10 MB)"</label>
                <input id="import-file" type="file" name="file" accept=".csv,text/csv" required />
                <button type="submit">"Import"</button>
            </form>
        </section>
    }
}

#[component]
fn ImportOutcome(report: ImportReport) -> impl IntoView {
    if report.imported() {
        return view! {
            <p class="notice success" role="status" data-testid="import-result">
                {format!(
                    "Imported {} rows: {} products created, {} updated; {} variants created, {} updated.",
                    report.rows, report.created_products, report.updated_products, report.created_variants, report.updated_variants
                )}
            </p>
        }
        .into_any();
    }
    view! {
        <div class="notice error" role="alert" data-testid="import-result">
            <p><strong>"Nothing was imported."</strong> {format!(" {} of {} rows need correcting:", report.errors.len(), report.rows)}</p>
            <table class="admin-table">
                <thead><tr><th scope="col">"Line"</th><th scope="col">"Problem"</th></tr></thead>
                <tbody>
                    {report.errors.into_iter().take(200).map(|e| view! { <tr><td>{e.line}</td><td>{e.message}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The product's images, the upload form (a plain multipart form: it works without
/// JavaScript) and what the last upload did.
#[component]
fn ImageGallery(product: ProductSnapshot) -> impl IntoView {
    let remove = ServerAction::<RemoveProductImage>::new();
    toast_results(remove, "Image removed.");
    let added = query_param("image");
    let failed = query_param("image_error");
    let action = format!("/admin/products/{}/images", product.id);
    view! {
        <section class="panel" aria-labelledby="images-heading">
            <h2 id="images-heading">"Images"</h2>
            {move || (added.get() == "added").then(|| view! { <p class="notice success" role="status" data-testid="image-result">"Image added."</p> })}
            {move || (!failed.get().is_empty()).then(|| view! { <p class="notice error" role="alert" data-testid="image-result">{failed.get()}</p> })}
            <ul class="image-list">
                {product.images.into_iter().map(|image| view! {
                    <li>
                        <img src=image.thumbnail_url.clone().unwrap_or(image.url.clone()) alt=image.alt_text.clone() width="160" loading="lazy" />
                        <span>{image.alt_text.clone()}</span>
                        <ActionForm action=remove attr:class="inline-form">
                            <input type="hidden" name="id" value=image.id.to_string() />
                            <button type="submit" class="secondary">"Remove"</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
            <form method="post" action=action enctype="multipart/form-data" class="account-form">
                <label for="image-file">"Image (PNG, JPEG or WebP, up to 5 MB)"</label>
                <input id="image-file" type="file" name="file" accept="image/png,image/jpeg,image/webp" required />
                <label for="image-alt">"Alt text (what the image shows)"</label>
                <input id="image-alt" name="alt_text" required maxlength="300" />
                <button type="submit">"Upload image"</button>
            </form>
        </section>
    }
    .into_any()
}
