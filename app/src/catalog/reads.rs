//! The storefront's read side of the catalog: SQL results kept for a few seconds so that a
//! busy page is computed once, not once per shopper.

use crate::catalog::model::{CategoryListing, HomeContent, ProductDetail, SearchResults};
use crate::catalog::query::{ListingRequest, SearchRequest};
use crate::catalog::repo::{self, CategoryTree};
use crate::kernel::error::AppError;
use sqlx::PgPool;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// A small map whose entries expire after `ttl`; when full it starts over rather than
/// growing, so a flood of distinct requests cannot exhaust memory.
///
/// Loads are single-flight: when an entry is missing or expired, the first caller loads it
/// and concurrent callers for the same key wait for that result instead of all querying
/// the database at once. A failed load is not kept; the next caller tries again.
struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, Slot<V>>>,
}

struct Slot<V> {
    created_at: Instant,
    value: Arc<OnceCell<V>>,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cell for `key`: the current one while fresh, otherwise a new empty one.
    fn cell_for(&self, key: &K) -> Arc<OnceCell<V>> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(slot) = entries.get(key) {
            if slot.created_at.elapsed() < self.ttl {
                return slot.value.clone();
            }
        }
        if entries.len() >= self.capacity {
            let ttl = self.ttl;
            entries.retain(|_, slot| slot.created_at.elapsed() < ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        let value = Arc::new(OnceCell::new());
        entries.insert(
            key.clone(),
            Slot {
                created_at: Instant::now(),
                value: value.clone(),
            },
        );
        value
    }

    async fn get_or_load<F>(&self, key: K, load: F) -> Result<V, AppError>
    where
        F: std::future::Future<Output = Result<V, AppError>>,
    {
        if self.ttl.is_zero() {
            return load.await;
        }
        let cell = self.cell_for(&key);
        cell.get_or_try_init(|| load).await.cloned()
    }
}

/// Reads the catalog for the storefront.
/// The catalog's read side of this server, which the server provides to every request
/// next to the `ServerState`.
pub fn catalog_reads() -> Result<Arc<CatalogReads>, AppError> {
    leptos::prelude::use_context::<Arc<CatalogReads>>().ok_or_else(|| {
        tracing::error!("CatalogReads was not provided to the Leptos context");
        AppError::Internal
    })
}

pub struct CatalogReads {
    pool: PgPool,
    tree: TtlCache<(), Arc<CategoryTree>>,
    home: TtlCache<(), HomeContent>,
    listings: TtlCache<ListingRequest, Option<CategoryListing>>,
    searches: TtlCache<SearchRequest, SearchResults>,
    products: TtlCache<String, Option<ProductDetail>>,
    sale_offers: TtlCache<(), Arc<Vec<crate::promotions::engine::Offer>>>,
    profile: TtlCache<(), crate::settings::store::StoreProfile>,
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
            sale_offers: TtlCache::new(ttl, 1),
            profile: TtlCache::new(ttl, 1),
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

    /// The store's name, contact and settings (kept as briefly as the rest).
    pub async fn store_profile(&self) -> Result<crate::settings::store::StoreProfile, AppError> {
        self.profile
            .get_or_load((), async {
                crate::settings::store::store_profile(&mut *self.pool.acquire().await?).await
            })
            .await
    }

    /// The live automatic promotions, for sale prices (kept as briefly as the rest).
    pub async fn sale_offers(
        &self,
    ) -> Result<Arc<Vec<crate::promotions::engine::Offer>>, AppError> {
        self.sale_offers
            .get_or_load((), async {
                let mut connection = self.pool.acquire().await?;
                Ok(Arc::new(
                    crate::promotions::repo::automatic_offers(&mut connection).await?,
                ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn concurrent_misses_for_one_key_load_once() {
        let cache: Arc<TtlCache<u32, u32>> = Arc::new(TtlCache::new(Duration::from_secs(60), 10));
        let loads = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (cache, loads) = (cache.clone(), loads.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_load(7, async {
                            loads.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok(49)
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), Ok(49));
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn failed_loads_are_not_kept_and_expired_entries_reload() {
        let cache: TtlCache<u32, u32> = TtlCache::new(Duration::from_millis(30), 10);
        assert_eq!(
            cache
                .get_or_load(1, async { Err(AppError::Internal) })
                .await,
            Err(AppError::Internal)
        );
        assert_eq!(cache.get_or_load(1, async { Ok(2) }).await, Ok(2));
        assert_eq!(
            cache.get_or_load(1, async { Ok(3) }).await,
            Ok(2),
            "fresh entry is reused"
        );
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(
            cache.get_or_load(1, async { Ok(4) }).await,
            Ok(4),
            "expired entry is reloaded"
        );
    }

    #[tokio::test]
    async fn a_full_cache_starts_over_instead_of_growing() {
        let cache: TtlCache<u32, u32> = TtlCache::new(Duration::from_secs(60), 3);
        for key in 0..10 {
            cache
                .get_or_load(key, async move { Ok(key) })
                .await
                .unwrap();
        }
        let size = cache.entries.lock().unwrap().len();
        assert!(size <= 3, "cache holds {size} entries");
    }

    #[tokio::test]
    async fn zero_ttl_never_caches() {
        let cache: TtlCache<u32, u32> = TtlCache::new(Duration::ZERO, 3);
        assert_eq!(cache.get_or_load(1, async { Ok(1) }).await, Ok(1));
        assert_eq!(cache.get_or_load(1, async { Ok(2) }).await, Ok(2));
    }
}
