//! Category-editing types shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// A category as the tree page lists it: depth-first, siblings in their order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub slug: String,
    pub depth: usize,
    pub products: i64,
    pub children: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryForm {
    /// Empty to create.
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub slug: String,
    /// Empty for a top-level category.
    #[serde(default)]
    pub parent_id: String,
}
