//! `/admin/categories`: the category tree with ordering, editing and deletion.

use crate::admin::categories::api::{category_tree, DeleteCategory, ReorderCategory, SaveCategory};
use crate::admin::ui::{
    busy_label, field_error, field_error_id, successes, toast_results, LabelledField,
};
use crate::catalog::categories::model::CategoryNode;
use crate::components::meta::page_meta;
use crate::components::notices::{action_error, ErrorPanel};
use leptos::prelude::*;

#[component]
pub fn CategoriesPage() -> impl IntoView {
    let save = ServerAction::<SaveCategory>::new();
    let reorder = ServerAction::<ReorderCategory>::new();
    let delete = ServerAction::<DeleteCategory>::new();
    toast_results(save, "Category saved.");
    toast_results(reorder, "Order changed.");
    toast_results(delete, "Category deleted.");
    let (saved, reordered, deleted) = (successes(save), successes(reorder), successes(delete));
    let tree = Resource::new(
        move || (saved.get(), reordered.get(), deleted.get()),
        |_| category_tree(),
    );
    let content = move || {
        Suspend::new(async move {
            match tree.await {
                Ok(nodes) => view! { <CategoryTree nodes save reorder delete /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            }
        })
    };
    view! {
        {page_meta("Categories · Staff area", "The category tree.", "/admin/categories")}
        <h1>"Categories"</h1>
        {action_error(reorder)}
        {action_error(delete)}
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading categories…"</p> }>{content}</Transition>
    }
}

#[component]
fn CategoryTree(
    nodes: Vec<CategoryNode>,
    save: ServerAction<SaveCategory>,
    reorder: ServerAction<ReorderCategory>,
    delete: ServerAction<DeleteCategory>,
) -> impl IntoView {
    let parents: Vec<(i64, String)> = nodes
        .iter()
        .map(|n| (n.id, format!("{}{}", "— ".repeat(n.depth), n.name)))
        .collect();
    let parent_options = |selected: Option<i64>, exclude: Option<i64>| {
        parents
            .iter()
            .filter(|(id, _)| Some(*id) != exclude)
            .map(|(id, label)| view! { <option value=id.to_string() selected=selected == Some(*id)>{label.clone()}</option> })
            .collect_view()
    };
    let new_parents = parent_options(None, None);
    view! {
        <table class="admin-table" data-testid="category-tree">
            <thead><tr><th scope="col">"Category"</th><th scope="col">"Products"</th><th scope="col">"Order"</th><th scope="col">"Delete"</th></tr></thead>
            <tbody>
                {nodes.into_iter().map(|n| {
                    let options = parent_options(n.parent_id, Some(n.id));
                    let (edit_name, edit_slug, edit_id) = (n.name.clone(), n.slug.clone(), n.id.to_string());
                    let (up_label, down_label) = (format!("Move {} up", n.name), format!("Move {} down", n.name));
                    let field = |what: &str| format!("category-{}-{what}", n.id);
                    let (name_field, slug_field, parent_field) = (field("name"), field("slug"), field("parent"));
                    let empty = n.products == 0 && n.children == 0;
                    let id = n.id.to_string();
                    let (up_id, down_id, delete_id) = (id.clone(), id.clone(), id.clone());
                    let confirm_id = format!("delete-category-{}", n.id);
                    let indent = format!("padding-left: {}rem", n.depth as f32 * 1.5);
                    view! {
                        <tr>
                            <td style=indent>
                                <strong>{n.name.clone()}</strong> " " <small>{format!("/category/{}", n.slug)}</small>
                                <details>
                                    <summary>"Edit"</summary>
                                    <ActionForm action=save attr:class="account-form">
                                        <input type="hidden" name="form[id]" value=edit_id />
                                        <label for=name_field.clone()>"Name"</label>
                                        <input id=name_field name="form[name]" required maxlength="120" value=edit_name />
                                        <label for=slug_field.clone()>"Address (slug)"</label>
                                        <input id=slug_field name="form[slug]" maxlength="100" value=edit_slug />
                                        <label for=parent_field.clone()>"Inside"</label>
                                        <select id=parent_field name="form[parent_id]">
                                            <option value="">"(top level)"</option>
                                            {options}
                                        </select>
                                        <button type="submit" class="secondary">"Save"</button>
                                    </ActionForm>
                                </details>
                            </td>
                            <td>{n.products}</td>
                            <td>
                                <ActionForm action=reorder attr:class="inline-form">
                                    <input type="hidden" name="id" value=up_id />
                                    <input type="hidden" name="on" value="true" />
                                    <button type="submit" class="secondary" aria-label=up_label>"↑"</button>
                                </ActionForm>
                                <ActionForm action=reorder attr:class="inline-form">
                                    <input type="hidden" name="id" value=down_id />
                                    <input type="hidden" name="on" value="false" />
                                    <button type="submit" class="secondary" aria-label=down_label>"↓"</button>
                                </ActionForm>
                            </td>
                            <td>
                                {empty.then(|| view! {
                                    <ActionForm action=delete attr:class="inline-form">
                                        <input type="hidden" name="id" value=delete_id />
                                        <input id=confirm_id.clone() type="checkbox" required />
                                        <label for=confirm_id>"Confirm"</label>
                                        <button type="submit" class="danger">"Delete"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <section class="panel" aria-labelledby="category-form-heading">
            <h2 id="category-form-heading">"Add a category"</h2>
            {action_error(save)}
            <ActionForm action=save attr:class="account-form">
                <LabelledField action=save field="name" input_id="category-name" label="Name">
                    <input id="category-name" name="form[name]" required maxlength="120" aria-describedby=field_error_id("name") />
                </LabelledField>
                <LabelledField action=save field="slug" input_id="category-slug" label="Address (slug; empty: made from the name)">
                    <input id="category-slug" name="form[slug]" maxlength="100" aria-describedby=field_error_id("slug") />
                </LabelledField>
                <label for="category-parent">"Inside"</label>
                <select id="category-parent" name="form[parent_id]" aria-describedby=field_error_id("parent_id")>
                    <option value="">"(top level)"</option>
                    {new_parents}
                </select>
                {field_error(save, "parent_id")}
                <button type="submit" disabled=move || save.pending().get()>{busy_label(save, "Add category", "Adding…")}</button>
            </ActionForm>
        </section>
    }
    .into_any()
}
