//! The actions that change who the session belongs to (log in, confirm and log in, log
//! out, delete the account). They live for the whole app, not one page: each sends the
//! browser elsewhere when it succeeds, and the header's cart must refresh after it (the
//! cart follows the account) even though the page that ran it is gone by then.

use crate::accounts::api::{ConfirmEmail, DeleteAccount, LogIn, LogOut};
use crate::cart::actions::CartActions;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct SessionActions {
    pub log_in: ServerAction<LogIn>,
    pub confirm: ServerAction<ConfirmEmail>,
    pub log_out: ServerAction<LogOut>,
    pub delete: ServerAction<DeleteAccount>,
}

impl SessionActions {
    /// Creates the actions; call inside `<Router>`, after `CartActions::provide`.
    pub fn provide(cart: CartActions) -> Self {
        let actions = Self {
            log_in: ServerAction::new(),
            confirm: ServerAction::new(),
            log_out: ServerAction::new(),
            delete: ServerAction::new(),
        };
        Effect::watch(
            move || {
                actions.log_in.version().get()
                    + actions.confirm.version().get()
                    + actions.log_out.version().get()
                    + actions.delete.version().get()
            },
            move |_, _, _| cart.cart_changed(),
            false,
        );
        provide_context(actions);
        actions
    }
}

pub fn use_session_actions() -> SessionActions {
    use_context::<SessionActions>().unwrap_or_else(|| SessionActions {
        log_in: ServerAction::new(),
        confirm: ServerAction::new(),
        log_out: ServerAction::new(),
        delete: ServerAction::new(),
    })
}
