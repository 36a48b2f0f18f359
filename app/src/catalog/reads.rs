//! The storefront's read side of the catalog: SQL results kept for a few seconds so that a
//! busy page is computed once, not once per shopper.

use crate::catalog::model::{CategoryListing, HomeContent, ProductDetail, SearchResults};
use crate::catalog::query::{ListingRequest, SearchRequest};
use crate::catalog::repo::{self, CategoryTree};
use crate::error::AppError;
use sqlx::PgPool;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A small map whose entries expire after `ttl`; when full it starts over rather than
/// growing, so a flood of distinct requests cannot exhaust memory.
struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &K) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(key)
            .filter(|(stored_at, _)| stored_at.elapsed() < self.ttl)
            .map(|(_, value)| value.clone())
    }

    fn put(&self, key: K, value: V) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= self.capacity {
            let ttl = self.ttl;
            entries.retain(|_, (stored_at, _)| stored_at.elapsed() < ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    async fn get_or_load<F>(&self, key: K, load: F) -> Result<V, AppError>
    where
        F: std::future::Future<Output = Result<V, AppError>>,
    {
        if let Some(hit) = self.get(&key) {
            return Ok(hit);
        }
        let value = load.await?;
        self.put(key, value.clone());
        Ok(value)
    }
}

/// Reads the catalog for the storefront.
pub struct CatalogReads {
    pool: PgPool,
    tree: TtlCache<(), Arc<CategoryTree>>,
    home: TtlCache<(), HomeContent>,
    listings: TtlCache<ListingRequest, Option<CategoryListing>>,
    searches: TtlCache<SearchRequest, SearchResults>,
    products: TtlCache<String, Option<ProductDetail>>,
}

impl CatalogReads {
    /// `ttl` zero turns caching off (tests use that to see every write at once).
    pub fn new(pool: PgPool, ttl: Duration) -> Self {
        Self {
            pool,
            tree: TtlCache::new(ttl, 1),
            home: TtlCache::new(ttl, 1),
            listings: TtlCache::new(ttl, 2_000),
            searches: TtlCache::new(ttl, 5_000),
            products: TtlCache::new(ttl, 10_000),
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn category_tree(&self) -> Result<Arc<CategoryTree>, AppError> {
        self.tree
            .get_or_load((), async {
                Ok(Arc::new(CategoryTree::new(
                    repo::all_categories(&self.pool).await?,
                )))
            })
            .await
    }

    pub async fn home(&self) -> Result<HomeContent, AppError> {
        self.home
            .get_or_load((), async {
                let tree = self.category_tree().await?;
                Ok(HomeContent {
                    featured: repo::featured_products(&self.pool, 8).await?,
                    new_arrivals: repo::newest_products(&self.pool, 8).await?,
                    departments: tree.roots(),
                })
            })
            .await
    }

    /// A page of a category's products (its subcategories included), or `None` when the
    /// category does not exist.
    pub async fn category_listing(
        &self,
        request: &ListingRequest,
    ) -> Result<Option<CategoryListing>, AppError> {
        self.listings
            .get_or_load(request.clone(), async {
                let tree = self.category_tree().await?;
                let Some(category) = tree.by_slug(&request.category_slug) else {
                    return Ok(None);
                };
                let products = repo::products_in_categories(
                    &self.pool,
                    &tree.subtree_ids(category.id),
                    request.sort,
                    request.page,
                )
                .await?;
                Ok(Some(CategoryListing {
                    category: category.link(),
                    description: category.description.clone(),
                    breadcrumbs: tree.path_to(category.id),
                    subcategories: tree.children(category.id),
                    products,
                }))
            })
            .await
    }

    pub async fn search(&self, request: &SearchRequest) -> Result<SearchResults, AppError> {
        self.searches
            .get_or_load(request.clone(), async {
                let tree = self.category_tree().await?;
                repo::search_products(&self.pool, &tree, request).await
            })
            .await
    }

    pub async fn product(&self, slug: &str) -> Result<Option<ProductDetail>, AppError> {
        self.products
            .get_or_load(slug.to_owned(), async {
                let tree = self.category_tree().await?;
                repo::product_by_slug(&self.pool, &tree, slug).await
            })
            .await
    }
}
