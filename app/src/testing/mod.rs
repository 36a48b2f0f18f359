//! Test support: a fresh, migrated PostgreSQL database for each test.
//!
//! The schema is migrated once into a template database (named after a hash of the
//! migrations, so a changed migration makes a new one) and each test gets a copy made
//! with `CREATE DATABASE … TEMPLATE`, which takes milliseconds.
//!
//! The server is found through `STOA_TEST_DATABASE_URL`, then `DATABASE_URL`, then
//! `postgres://postgres@127.0.0.1:5432/postgres`.

use crate::kernel::db::{connect, MIGRATOR};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

pub mod architecture;

pub const TEST_DATABASE_PREFIX: &str = "stoa_test_";

pub struct TestDatabase {
    pub pool: PgPool,
    pub name: String,
    pub options: PgConnectOptions,
}

fn server_url() -> String {
    std::env::var("STOA_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn options_for(database: &str) -> PgConnectOptions {
    PgConnectOptions::from_str(&server_url())
        .expect("the test database URL is valid")
        .database(database)
}

fn template_name() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for migration in MIGRATOR.iter() {
        for byte in migration
            .checksum
            .iter()
            .chain(migration.version.to_le_bytes().iter())
        {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("stoa_template_{hash:016x}")
}

async fn admin_connection() -> PgConnection {
    PgConnection::connect_with(&options_for("postgres"))
        .await
        .expect("PostgreSQL for tests is reachable (set STOA_TEST_DATABASE_URL)")
}

async fn ensure_template(admin: &mut PgConnection, template: &str) {
    // One builder at a time across all test processes.
    admin
        .execute("SELECT pg_advisory_lock(728311001)")
        .await
        .expect("advisory lock");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(template)
            .fetch_one(&mut *admin)
            .await
            .expect("query pg_database");
    if !exists {
        let building = format!("{template}_building");
        admin
            .execute(format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)").as_str())
            .await
            .expect("drop half-built template");
        admin
            .execute(format!("CREATE DATABASE \"{building}\"").as_str())
            .await
            .expect("create template");
        let pool = connect(options_for(&building), 1)
            .await
            .expect("connect to template");
        MIGRATOR
            .run(&pool)
            .await
            .expect("migrations apply to an empty database");
        pool.close().await;
        admin
            .execute(format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\"").as_str())
            .await
            .expect("publish template");
    }
    admin
        .execute("SELECT pg_advisory_unlock(728311001)")
        .await
        .expect("advisory unlock");
}

impl TestDatabase {
    /// A new database holding the current schema and no data.
    pub async fn new() -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let template = template_name();
        let mut admin = admin_connection().await;
        ensure_template(&mut admin, &template).await;
        let name = format!(
            "{TEST_DATABASE_PREFIX}{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        admin
            .execute(format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"").as_str())
            .await
            .expect("copy the template database");
        admin.close().await.ok();
        let options = options_for(&name);
        let pool = connect(options.clone(), 5)
            .await
            .expect("connect to test database");
        Self {
            pool,
            name,
            options,
        }
    }

    /// A URL for this database, for tools and processes outside the test (`stoa`, pg_dump).
    pub fn url(&self) -> String {
        self.url_of_database(&self.name)
    }

    /// A URL for another database on the same server.
    pub fn url_of_database(&self, database: &str) -> String {
        format!(
            "postgres://{}@{}:{}/{database}",
            self.options.get_username(),
            self.options.get_host(),
            self.options.get_port()
        )
    }

    /// Closes the pool, then drops the database (as dropping the value does).
    pub async fn drop_database(self) {
        self.pool.close().await;
    }
}

/// A test's database goes when its value does, also when the test fails: dropped from a
/// thread of its own (a `Drop` cannot await, and the test's runtime may be the only one),
/// `WITH (FORCE)` so connections still open do not keep it.
impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.name);
        let admin_options = options_for("postgres");
        let dropping = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect_with(&admin_options).await {
                    let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    admin.execute(drop.as_str()).await.ok();
                    admin.close().await.ok();
                }
            });
        });
        dropping.join().ok();
    }
}

/// Small catalog builders for tests: real rows, through plain SQL.
pub mod fixtures {
    use sqlx::PgPool;

    /// A category named after its slug.
    pub async fn category(pool: &PgPool, slug: &str, parent: Option<i64>) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO categories (slug, name, parent_id) VALUES ($1, initcap($1), $2) RETURNING id",
        )
        .bind(slug)
        .bind(parent)
        .fetch_one(pool)
        .await
        .unwrap()
    }

    /// Sets the rate of a tax category (by name, made when new) in the rest-of-the-world
    /// zone the migrations create; returns the category's id. "Standard" is the default.
    pub async fn tax_rate(pool: &PgPool, tax_category: &str, rate_bp: i32) -> i64 {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tax_categories (name) VALUES ($1)
             ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
        )
        .bind(tax_category)
        .fetch_one(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO zone_tax_rates (zone_id, tax_category_id, rate_bp)
             SELECT id, $1, $2 FROM shipping_zones WHERE rest_of_world
             ON CONFLICT (zone_id, tax_category_id) DO UPDATE SET rate_bp = $2",
        )
        .bind(id)
        .bind(rate_bp)
        .execute(pool)
        .await
        .unwrap();
        id
    }

    /// A product with one variant per (price, stock) pair.
    pub async fn product(
        pool: &PgPool,
        category_id: i64,
        slug: &str,
        name: &str,
        description: &str,
        variants: &[(i64, i32)],
    ) -> i64 {
        let mut builder = ProductFixture::new(category_id, slug)
            .named(name)
            .described(description);
        for (price, stock) in variants {
            builder = builder.variant(*price, *stock);
        }
        builder.create(pool).await
    }

    /// A product to create in a test, built up from what the test cares about: in USD,
    /// with one option (`Size`), each variant's SKU made from the slug (`SLUG-0`, `SLUG-1`).
    pub struct ProductFixture {
        category_id: i64,
        slug: String,
        name: String,
        description: String,
        variants: Vec<(i64, i32)>,
    }

    impl ProductFixture {
        /// A product named after its slug, with no description and no variants yet.
        pub fn new(category_id: i64, slug: &str) -> Self {
            Self {
                category_id,
                slug: slug.to_owned(),
                name: slug.to_owned(),
                description: String::new(),
                variants: Vec::new(),
            }
        }

        pub fn named(mut self, name: &str) -> Self {
            self.name = name.to_owned();
            self
        }

        pub fn described(mut self, description: &str) -> Self {
            self.description = description.to_owned();
            self
        }

        /// One more variant, at this price (minor units) with this much stock.
        pub fn variant(mut self, price_minor: i64, stock: i32) -> Self {
            self.variants.push((price_minor, stock));
            self
        }

        /// Inserts the product and its variants; returns the product's id.
        pub async fn create(self, pool: &PgPool) -> i64 {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO products (category_id, slug, name, description, currency, option_names)
                 VALUES ($1, $2, $3, $4, 'USD', ARRAY['Size']) RETURNING id",
            )
            .bind(self.category_id)
            .bind(&self.slug)
            .bind(&self.name)
            .bind(&self.description)
            .fetch_one(pool)
            .await
            .unwrap();
            for (index, (price, stock)) in self.variants.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO product_variants (product_id, sku, option_values, price_minor, stock, position)
                     VALUES ($1, $2, ARRAY[$3], $4, $5, $6)",
                )
                .bind(id)
                .bind(format!("{}-{index}", self.slug.to_uppercase()))
                .bind(format!("S{index}"))
                .bind(price)
                .bind(stock)
                .bind(index as i32)
                .execute(pool)
                .await
                .unwrap();
            }
            id
        }
    }

    /// The product's variant ids, in position order.
    pub async fn variant_ids(pool: &PgPool, product_id: i64) -> Vec<i64> {
        sqlx::query_scalar(
            "SELECT id FROM product_variants WHERE product_id = $1 ORDER BY position",
        )
        .bind(product_id)
        .fetch_all(pool)
        .await
        .unwrap()
    }

    /// An order for the cart, to Ada Lovelace in London, standard shipping, paid manually.
    pub fn manual_order_request(
        cart_id: uuid::Uuid,
        email: &str,
    ) -> crate::orders::place::OrderRequest {
        crate::orders::place::OrderRequest {
            cart_id,
            idempotency_key: uuid::Uuid::new_v4(),
            email: crate::kernel::email::EmailAddress::parse(email).expect("a valid test email"),
            address: crate::kernel::address::ShippingAddress {
                name: "Ada Lovelace".into(),
                line1: "12 Analytical Row".into(),
                line2: String::new(),
                city: "London".into(),
                postal_code: "SW1A 1AA".into(),
                country: "GB".into(),
            },
            shipping_method: "standard".into(),
            payment: crate::payments::Authorization {
                provider: "manual",
                reference: None,
                card_brand: None,
                card_last4: None,
                capture_after_placing: false,
            },
            expected_total_minor: None,
            public_url: "https://shop.example".into(),
        }
    }

    /// Every row that can hold personal data (orders, accounts, addresses, emails,
    /// sessions, failed attempts) as one text, to search for what must be gone.
    pub async fn personal_data_as_text(pool: &PgPool) -> String {
        sqlx::query_scalar(
            "SELECT concat_ws(' ',
                (SELECT string_agg(o::text, ' ') FROM orders o),
                (SELECT string_agg(a::text, ' ') FROM accounts a),
                (SELECT string_agg(d::text, ' ') FROM account_addresses d),
                (SELECT string_agg(e::text, ' ') FROM outbox_emails e),
                (SELECT string_agg(s::text, ' ') FROM sessions s),
                (SELECT string_agg(f::text, ' ') FROM failed_attempts f))",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    }

    pub async fn stock_of(pool: &PgPool, variant_id: i64) -> i32 {
        sqlx::query_scalar("SELECT stock FROM product_variants WHERE id = $1")
            .bind(variant_id)
            .fetch_one(pool)
            .await
            .unwrap()
    }

    /// A manually paid order (awaiting payment) for these (variant, quantity) lines.
    pub async fn placed_order(
        pool: &PgPool,
        lines: &[(i64, i64)],
    ) -> crate::orders::place::PlacedOrder {
        let cart = crate::cart::repo::create_cart(pool).await.unwrap();
        for (variant, quantity) in lines {
            let quantity = crate::cart::model::Quantity::parse(*quantity).unwrap();
            crate::cart::repo::add_to_cart(pool, cart, *variant, quantity)
                .await
                .unwrap();
        }
        crate::orders::place::place_order(pool, &manual_order_request(cart, "shopper@example.com"))
            .await
            .unwrap()
    }

    /// A staff member making changes in tests, as the audit log will name them.
    pub fn staff_actor() -> crate::audit::Actor {
        crate::audit::Actor {
            id: 7,
            email: "clerk@shop.example".to_owned(),
            client_address: "203.0.113.5".to_owned(),
        }
    }
}
