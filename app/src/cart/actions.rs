//! The cart's actions, shared through context so the header's count and the cart page
//! refresh after any change, wherever it was made.

use crate::cart::api::{
    AddChoiceToCart, ApplyDiscountCode, RemoveCartLine, RemoveDiscountCode, UpdateCartLine,
};
use crate::kernel::error::AppError;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct CartActions {
    /// Adding what a product page's options choose (the page's own form).
    pub add_choice: ServerAction<AddChoiceToCart>,
    pub update: ServerAction<UpdateCartLine>,
    pub remove: ServerAction<RemoveCartLine>,
    /// Entering and removing a discount code (cart and checkout).
    pub apply_code: ServerAction<ApplyDiscountCode>,
    pub remove_code: ServerAction<RemoveDiscountCode>,
    /// Bumped when the cart changed elsewhere (placing an order empties it).
    changed_elsewhere: RwSignal<usize>,
}

impl CartActions {
    /// Creates the actions; call inside `<Router>` so errors of no-JavaScript form posts
    /// (carried back in the address) reach them.
    pub fn provide() -> Self {
        let actions = Self {
            add_choice: ServerAction::new(),
            update: ServerAction::new(),
            remove: ServerAction::new(),
            apply_code: ServerAction::new(),
            remove_code: ServerAction::new(),
            changed_elsewhere: RwSignal::new(0),
        };
        provide_context(actions);
        actions
    }

    /// Changes whenever any cart action completes (reactive).
    pub fn changes(&self) -> usize {
        self.add_choice.version().get()
            + self.update.version().get()
            + self.remove.version().get()
            + self.apply_code.version().get()
            + self.remove_code.version().get()
            + self.changed_elsewhere.get()
    }

    /// Tells the cart views that the cart changed outside these actions.
    pub fn cart_changed(&self) {
        self.changed_elsewhere.update(|n| *n += 1);
    }

    /// The message of the most recent failed update or removal, if any.
    pub fn line_error(&self) -> Option<AppError> {
        [self.update.value().get(), self.remove.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
    }
}

pub fn use_cart_actions() -> Option<CartActions> {
    use_context::<CartActions>()
}
