//! The site as a whole: its name, public address and the departments its navigation
//! shows, as every page and the header see them.

use crate::kernel::error::AppError;
use leptos::prelude::Resource;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub store_name: String,
    /// How shoppers reach the store, from its settings; empty when not set.
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_address: String,
    /// Where shoppers reach the store, without a trailing slash (`https://shop.example`).
    pub public_url: String,
    /// A staging copy (`STOA_ENV=staging`): every page says so.
    pub staging: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Navigation {
    pub site: SiteInfo,
    pub departments: Vec<Department>,
}

/// The navigation resource, created once by the app shell and shared through context.
pub type NavigationResource = Resource<Result<Navigation, AppError>>;

/// A top-level category as the navigation links to it (`/category/{slug}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub slug: String,
    pub name: String,
}
