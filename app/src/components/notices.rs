//! Messages about the request itself (ignored parameters) and errors from the server.

use crate::components::not_found::NotFound;
use crate::kernel::error::AppError;
use leptos::prelude::*;

/// Tells the shopper what in their address was ignored and why.
#[component]
pub fn Notices(notices: Vec<String>) -> impl IntoView {
    (!notices.is_empty()).then(|| {
        view! {
            <div class="notice" role="status">
                <ul>{notices.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
            </div>
        }
    })
}

/// The failure of an action's last call, shown next to its form.
pub fn action_error<S>(action: ServerAction<S>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="notice error" role="alert" data-testid="form-error">{e.to_string()}</p> })
    }
}

/// What a page shows instead of its content when loading it failed.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    match error {
        AppError::NotFound(_) => view! { <NotFound /> }.into_any(),
        AppError::Unauthorized(message) => {
            let location = leptos_router::hooks::use_location();
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            let login = format!(
                "/account/login?next={}",
                crate::kernel::encoding::percent_encode(&here)
            );
            view! {
                <section class="error-panel" role="alert">
                    <h1>"Log in to continue"</h1>
                    <p>{message}</p>
                    <p><a class="button" href=login>"Log in"</a></p>
                </section>
            }
            .into_any()
        }
        other => view! {
            <section class="error-panel" role="alert">
                <h1>"Sorry, that did not work"</h1>
                <p>{other.to_string()}</p>
                <p><a href="/">"Back to the home page"</a></p>
            </section>
        }
        .into_any(),
    }
}
