//! Pieces every staff page uses: toasts that report each action's result, field errors
//! next to their fields, busy buttons, "next page" links and the warning before leaving
//! a form with unsaved changes.

use crate::error::AppError;
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
    Effect::new(move |seen: Option<usize>| {
        let version = action.version().get();
        if seen.is_some_and(|seen| seen != version) {
            match action.value().get_untracked() {
                Some(Ok(_)) => toasts.show(success, false),
                Some(Err(error)) => toasts.show(error.to_string(), true),
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

/// Asks before leaving the page (closing the tab, or following a link inside the app)
/// while `dirty` is true.
pub fn warn_before_leaving(dirty: Signal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::closure::Closure;
        use leptos::wasm_bindgen::JsCast;
        let on_unload =
            Closure::<dyn Fn(leptos::web_sys::Event)>::new(move |event: leptos::web_sys::Event| {
                if dirty.get_untracked() {
                    event.prevent_default();
                }
            });
        let on_click =
            Closure::<dyn Fn(leptos::web_sys::Event)>::new(move |event: leptos::web_sys::Event| {
                if !dirty.get_untracked() {
                    return;
                }
                let link = event
                    .target()
                    .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
                    .and_then(|e| e.closest("a[href]").ok().flatten());
                if link.is_none() {
                    return;
                }
                let leave = window()
                    .confirm_with_message(
                        "You have unsaved changes. Leave this page without saving them?",
                    )
                    .unwrap_or(true);
                if !leave {
                    event.prevent_default();
                    event.stop_immediate_propagation();
                }
            });
        let target: leptos::web_sys::EventTarget = window().into();
        let _ = target
            .add_event_listener_with_callback("beforeunload", on_unload.as_ref().unchecked_ref());
        let _ = target.add_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
        let unload = send_wrapper::SendWrapper::new((on_unload, on_click, target));
        on_cleanup(move || {
            let (on_unload, on_click, target) = unload.take();
            let _ = target.remove_event_listener_with_callback(
                "beforeunload",
                on_unload.as_ref().unchecked_ref(),
            );
            let _ = target.remove_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = dirty;
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
        crate::catalog::query::encode_query(&pairs)
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
