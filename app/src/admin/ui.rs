//! Pieces every staff page uses: toasts that report each action's result, field errors
//! next to their fields, busy buttons, "next page" links and the warning before leaving
//! a form with unsaved changes.

use crate::kernel::error::AppError;
use leptos::prelude::*;

/// One message in the toast region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    pub id: u64,
    pub text: String,
    pub is_error: bool,
}

/// The staff area's toasts, provided by the layout.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Toasts {
    pub fn provide() -> Self {
        let toasts = Toasts {
            items: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(0),
        };
        provide_context(toasts);
        toasts
    }

    pub fn show(&self, text: impl Into<String>, is_error: bool) {
        let id = self.next_id.get_value() + 1;
        self.next_id.set_value(id);
        self.items.update(|items| {
            items.push(Toast {
                id,
                text: text.into(),
                is_error,
            });
            let excess = items.len().saturating_sub(4);
            items.drain(..excess);
        });
        let items = self.items;
        set_timeout(
            move || items.update(|items| items.retain(|t| t.id != id)),
            std::time::Duration::from_secs(if is_error { 10 } else { 5 }),
        );
    }

    fn dismiss(&self, id: u64) {
        self.items.update(|items| items.retain(|t| t.id != id));
    }
}

/// Where toasts appear: announced politely to screen readers, each dismissible.
#[component]
pub fn ToastRegion(toasts: Toasts) -> impl IntoView {
    view! {
        <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div class=if toast.is_error { "toast error" } else { "toast success" }>
                    <span>{toast.text.clone()}</span>
                    <button type="button" class="toast-close" aria-label="Dismiss" on:click=move |_| toasts.dismiss(toast.id)>"×"</button>
                </div>
            </For>
        </div>
    }
}

/// Shows a toast for every result of `action`: `success` on success, the error otherwise.
pub fn toast_results<S>(action: ServerAction<S>, success: &'static str)
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let Some(toasts) = use_context::<Toasts>() else {
        return;
    };
    let unsaved = use_context::<UnsavedChanges>();
    Effect::new(move |seen: Option<usize>| {
        let version = action.version().get();
        if seen.is_some_and(|seen| seen != version) {
            match action.value().get_untracked() {
                Some(Ok(_)) => toasts.show(success, false),
                Some(Err(error)) => {
                    toasts.show(error.to_string(), true);
                    if let Some(unsaved) = unsaved {
                        unsaved.submission_failed();
                    }
                }
                None => {}
            }
        }
        version
    });
}

/// The message for `field` from the action's last error, shown under that field.
pub fn field_error<S>(action: ServerAction<S>, field: &'static str) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    field_error_named(action, field.to_owned())
}

pub fn field_error_named<S>(action: ServerAction<S>, field: String) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let id = field_error_id(&field);
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|error| error.field_message(&field))
            .map(|message| view! { <p class="field-error" id=id.clone() data-testid="field-error">{message}</p> })
    }
}

/// A form field with its label above and its error below: the control is the child and
/// carries `id=input_id` and `aria-describedby=field_error_id(field)`, so the error is
/// read out with it.
#[component]
pub fn LabelledField<S>(
    action: ServerAction<S>,
    field: &'static str,
    input_id: &'static str,
    label: &'static str,
    children: Children,
) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    view! {
        <label for=input_id>{label}</label>
        {children()}
        {field_error(action, field)}
    }
}

/// The id of a field's error message, for the field's `aria-describedby`.
pub fn field_error_id(field: &str) -> String {
    format!("error-{}", field.replace(['.', '[', ']'], "-"))
}

/// The label of a submit button: `busy` while the action runs.
pub fn busy_label<S>(
    action: ServerAction<S>,
    idle: &'static str,
    busy: &'static str,
) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || if action.pending().get() { busy } else { idle }
}

/// "Next page" under a list, when there is one.
#[component]
pub fn NextPage(href: Option<String>) -> impl IntoView {
    href.map(|href| {
        view! { <p class="next-page"><a href=href rel="next" class="button secondary">"Next page →"</a></p> }
    })
}

/// The filter form of a staff list page: a search landmark whose fields go into the
/// page's address (so a filtered list can be bookmarked, and works without JavaScript).
#[component]
pub fn ListFilters(action: &'static str, children: Children) -> impl IntoView {
    view! {
        <leptos_router::components::Form action=action attr:role="search" attr:class="admin-filters">
            {children()}
            <button type="submit">"Filter"</button>
        </leptos_router::components::Form>
    }
}

/// The results of a staff list page: a table with its caption and column headings, the
/// rows given as children, and the keyset "Next page" link; a short sentence instead when
/// nothing matches.
#[component]
pub fn ListTable(
    test_id: &'static str,
    caption: &'static str,
    columns: &'static [&'static str],
    empty: &'static str,
    is_empty: bool,
    next: Option<String>,
    children: Children,
) -> impl IntoView {
    if is_empty {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    view! {
        <table class="admin-table" data-testid=test_id>
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>{columns.iter().map(|column| view! { <th scope="col">{*column}</th> }).collect_view()}</tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
        <NextPage href=next />
    }
    .into_any()
}

/// Whether a staff form holds changes that have not been saved; provided by the layout,
/// so every form in the staff area that saves something is covered without opting in.
#[derive(Clone, Copy)]
pub struct UnsavedChanges {
    dirty: RwSignal<bool>,
    /// Whether there were unsaved changes when the last form was submitted: they are
    /// unsaved again if that submission fails.
    dirty_at_submit: StoredValue<bool>,
}

impl UnsavedChanges {
    /// Typing in or changing a field of a form that posts (an `input` event, which selects,
    /// boxes and file pickers fire too) marks the page unsaved;
    /// submitting clears that, and so does moving to another page. While it is marked,
    /// closing the tab or following a link asks first.
    pub fn provide() -> Self {
        let unsaved = UnsavedChanges {
            dirty: RwSignal::new(false),
            dirty_at_submit: StoredValue::new(false),
        };
        provide_context(unsaved);
        let pathname = leptos_router::hooks::use_location().pathname;
        Effect::new(move |_| {
            pathname.track();
            unsaved.dirty.set(false);
        });
        unsaved.listen();
        unsaved
    }

    /// Called with the result of a submitted form's action.
    fn submission_failed(&self) {
        self.dirty.set(self.dirty_at_submit.get_value());
    }

    #[cfg(not(feature = "hydrate"))]
    fn listen(&self) {}

    #[cfg(feature = "hydrate")]
    fn listen(&self) {
        use leptos::wasm_bindgen::closure::Closure;
        use leptos::wasm_bindgen::JsCast;
        use leptos::web_sys::{Element, Event, HtmlFormElement};
        type Listener = Closure<dyn Fn(Event)>;

        let unsaved = *self;
        let target_element =
            |event: &Event| event.target().and_then(|t| t.dyn_into::<Element>().ok());
        let on_input = Listener::new(move |event: Event| {
            let saving_form = target_element(&event)
                .and_then(|element| element.closest("form").ok().flatten())
                .and_then(|form| form.dyn_into::<HtmlFormElement>().ok())
                .is_some_and(|form| form.method().eq_ignore_ascii_case("post"));
            if saving_form {
                unsaved.dirty.set(true);
            }
        });
        let on_submit = Listener::new(move |_: Event| {
            unsaved
                .dirty_at_submit
                .set_value(unsaved.dirty.get_untracked());
            unsaved.dirty.set(false);
        });
        let on_unload = Listener::new(move |event: Event| {
            if unsaved.dirty.get_untracked() {
                event.prevent_default();
            }
        });
        let on_click = Listener::new(move |event: Event| {
            let follows_link = target_element(&event)
                .and_then(|element| element.closest("a[href]").ok().flatten())
                .is_some();
            if !follows_link || !unsaved.dirty.get_untracked() {
                return;
            }
            let leave = window()
                .confirm_with_message(
                    "You have unsaved changes. Leave this page without saving them?",
                )
                .unwrap_or(true);
            if leave {
                unsaved.dirty.set(false);
            } else {
                event.prevent_default();
                event.stop_immediate_propagation();
            }
        });
        let listeners = [
            ("input", on_input),
            ("submit", on_submit),
            ("beforeunload", on_unload),
            ("click", on_click),
        ];
        let target: leptos::web_sys::EventTarget = window().into();
        for (kind, listener) in &listeners {
            let _ = target.add_event_listener_with_callback_and_bool(
                kind,
                listener.as_ref().unchecked_ref(),
                true,
            );
        }
        let registered = send_wrapper::SendWrapper::new((listeners, target));
        on_cleanup(move || {
            let (listeners, target) = registered.take();
            for (kind, listener) in &listeners {
                let _ = target.remove_event_listener_with_callback_and_bool(
                    kind,
                    listener.as_ref().unchecked_ref(),
                    true,
                );
            }
        });
    }
}

/// A parameter of the page's address, "" when absent.
pub fn query_param(name: &'static str) -> Memo<String> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| query.read().get(name).unwrap_or_default())
}

/// The address of the same list with `before` set to the next page's cursor.
pub fn next_page_href(path: &str, pairs: &[(&str, String)], before: Option<i64>) -> Option<String> {
    let before = before?;
    let mut pairs: Vec<(&str, String)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .cloned()
        .collect();
    pairs.push(("before", before.to_string()));
    Some(format!(
        "{path}?{}",
        crate::kernel::encoding::encode_query(&pairs)
    ))
}

/// How many times `action` has succeeded: data that depends on it reloads after a
/// success only, so a refused form keeps what the person typed.
pub fn successes<S>(action: ServerAction<S>) -> ReadSignal<u32>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let (count, set_count) = signal(0_u32);
    Effect::new(move |seen: Option<usize>| {
        let version = action.version().get();
        if seen.is_some_and(|seen| seen != version)
            && matches!(action.value().get_untracked(), Some(Ok(_)))
        {
            set_count.update(|n| *n += 1);
        }
        version
    });
    count
}
