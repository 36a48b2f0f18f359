//! `stoa seed --demo`: a realistic demo catalog, from about 200 products for trying the
//! store to 100,000 for benchmarks, inserted in batches (one `UNNEST` insert per 5,000 rows).

use sqlx::PgPool;
use std::collections::{HashMap, HashSet};

pub const DEFAULT_DEMO_PRODUCTS: u32 = 200;
pub const MAX_DEMO_PRODUCTS: u32 = 100_000;
const BATCH: usize = 5_000;
/// Separates option values packed into one text for `UNNEST` (arrays of arrays do not unnest).
const UNIT_SEPARATOR: char = '\u{1f}';

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the catalog already has {0} products; the demo seed only fills an empty store")]
    CatalogNotEmpty(i64),
    #[error("--products must be between 1 and {MAX_DEMO_PRODUCTS}")]
    BadCount,
    #[error("database error while seeding: {0}")]
    Database(#[from] sqlx::Error),
}

struct Department {
    slug: &'static str,
    name: &'static str,
    description: &'static str,
    aisles: [Aisle; 2],
}

struct Aisle {
    slug: &'static str,
    name: &'static str,
    description: &'static str,
    kinds: &'static [&'static str],
    materials: &'static [&'static str],
    /// Option names and the values they can take.
    options: &'static [(&'static str, &'static [&'static str])],
    /// Base price range in cents.
    price_range: (i64, i64),
}

const ADJECTIVES: &[&str] = &[
    "Classic",
    "Everyday",
    "Organic",
    "Heritage",
    "Lightweight",
    "Recycled",
    "Premium",
    "Essential",
    "Coastal",
    "Alpine",
    "Urban",
    "Vintage",
    "Soft",
    "Rugged",
];

const DEPARTMENTS: [Department; 4] = [
    Department {
        slug: "clothing",
        name: "Clothing",
        description: "Shirts, knitwear and trousers made to be worn for years.",
        aisles: [
            Aisle {
                slug: "tops",
                name: "Shirts & Tops",
                description: "T-shirts, shirts, hoodies and knitwear.",
                kinds: &[
                    "T-Shirt",
                    "Oxford Shirt",
                    "Hoodie",
                    "Sweater",
                    "Polo Shirt",
                    "Flannel Shirt",
                ],
                materials: &["Cotton", "Linen", "Merino", "Flannel", "Jersey", "Hemp"],
                options: &[
                    ("Size", &["XS", "S", "M", "L", "XL"]),
                    ("Colour", &["Black", "Navy", "Olive", "Sand", "White"]),
                ],
                price_range: (1_900, 8_900),
            },
            Aisle {
                slug: "bottoms",
                name: "Trousers & Shorts",
                description: "Chinos, jeans, joggers and shorts.",
                kinds: &["Chinos", "Jeans", "Shorts", "Joggers", "Cargo Trousers"],
                materials: &["Denim", "Twill", "Canvas", "Corduroy", "Ripstop"],
                options: &[
                    ("Size", &["28", "30", "32", "34", "36"]),
                    ("Colour", &["Indigo", "Khaki", "Black", "Grey"]),
                ],
                price_range: (2_900, 11_900),
            },
        ],
    },
    Department {
        slug: "footwear",
        name: "Footwear",
        description: "Sneakers and boots for town and trail.",
        aisles: [
            Aisle {
                slug: "sneakers",
                name: "Sneakers",
                description: "Running shoes, court sneakers and slip-ons.",
                kinds: &[
                    "Running Shoe",
                    "Court Sneaker",
                    "Trail Runner",
                    "Slip-On",
                    "High-Top",
                ],
                materials: &["Mesh", "Suede", "Canvas", "Leather", "Knit"],
                options: &[("Size", &["38", "39", "40", "41", "42", "43", "44", "45"])],
                price_range: (4_900, 15_900),
            },
            Aisle {
                slug: "boots",
                name: "Boots",
                description: "Chelsea, hiking, rain and work boots.",
                kinds: &[
                    "Chelsea Boot",
                    "Hiking Boot",
                    "Rain Boot",
                    "Work Boot",
                    "Desert Boot",
                ],
                materials: &["Leather", "Nubuck", "Rubber", "Waxed Canvas", "Suede"],
                options: &[("Size", &["38", "39", "40", "41", "42", "43", "44", "45"])],
                price_range: (7_900, 24_900),
            },
        ],
    },
    Department {
        slug: "home",
        name: "Home",
        description: "Kitchenware and lighting for everyday living.",
        aisles: [
            Aisle {
                slug: "kitchen",
                name: "Kitchen",
                description: "Knives, pans, boards and coffee gear.",
                kinds: &[
                    "Chef's Knife",
                    "Skillet",
                    "Cutting Board",
                    "Coffee Grinder",
                    "Teapot",
                    "Mixing Bowl",
                ],
                materials: &["Steel", "Cast Iron", "Oak", "Walnut", "Ceramic", "Enamel"],
                options: &[("Finish", &["Natural", "Matte Black", "Stone"])],
                price_range: (1_500, 18_900),
            },
            Aisle {
                slug: "lighting",
                name: "Lighting",
                description: "Desk, floor and pendant lamps.",
                kinds: &[
                    "Desk Lamp",
                    "Floor Lamp",
                    "Pendant Light",
                    "Table Lamp",
                    "String Lights",
                ],
                materials: &["Brass", "Paper", "Glass", "Rattan", "Aluminium"],
                options: &[("Colour", &["Black", "Brass", "White", "Sage"])],
                price_range: (2_400, 29_900),
            },
        ],
    },
    Department {
        slug: "outdoors",
        name: "Outdoors",
        description: "Gear for camping trips and cycling.",
        aisles: [
            Aisle {
                slug: "camping",
                name: "Camping",
                description: "Tents, sleeping bags, stoves and lamps.",
                kinds: &[
                    "Tent",
                    "Sleeping Bag",
                    "Camp Stove",
                    "Headlamp",
                    "Backpack",
                    "Camp Chair",
                ],
                materials: &["Nylon", "Polyester", "Titanium", "Down", "Aluminium"],
                options: &[("Size", &["Solo", "Duo", "Family"])],
                price_range: (1_900, 39_900),
            },
            Aisle {
                slug: "cycling",
                name: "Cycling",
                description: "Helmets, jerseys, lights and bags.",
                kinds: &[
                    "Bike Helmet",
                    "Cycling Jersey",
                    "Bike Light",
                    "Saddle Bag",
                    "Water Bottle",
                ],
                materials: &[
                    "Carbon",
                    "Merino",
                    "Polycarbonate",
                    "Recycled Nylon",
                    "Stainless",
                ],
                options: &[("Size", &["S", "M", "L"])],
                price_range: (900, 19_900),
            },
        ],
    },
];

/// A small deterministic generator: the same seed gives the same demo store every time.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low + 1) as u64) as i64
    }
}

fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() && c != '\'' {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

struct NewProduct {
    category_id: i64,
    slug: String,
    name: String,
    description: String,
    option_names: Vec<String>,
    featured: bool,
    age_minutes: i64,
    variants: Vec<NewVariant>,
}

struct NewVariant {
    sku: String,
    option_values: Vec<String>,
    price_minor: i64,
    stock: i32,
}

fn describe(dice: &mut Dice, adjective: &str, material: &str, kind: &str, aisle: &Aisle) -> String {
    let openers = [
        format!(
            "A {} {} in {} that earns its place.",
            adjective.to_lowercase(),
            kind.to_lowercase(),
            material.to_lowercase()
        ),
        format!(
            "Our {} {} is made from {} and built to last.",
            adjective.to_lowercase(),
            kind.to_lowercase(),
            material.to_lowercase()
        ),
        format!(
            "{} done right: {} chosen for how it ages.",
            kind,
            material.to_lowercase()
        ),
    ];
    let details = [
        "Designed in small batches and checked by hand before it ships.",
        "Easy to care for, and backed by our two-year guarantee.",
        "Pairs well with the rest of the range, and with what you already own.",
        "Independently tested for durability; repair parts are available.",
    ];
    format!(
        "{}\n\n{} Part of our {} collection.",
        dice.pick(&openers),
        dice.pick(&details),
        aisle.name.to_lowercase()
    )
}

fn generate_product(
    dice: &mut Dice,
    index: u32,
    category_id: i64,
    aisle: &Aisle,
    used_slugs: &mut HashSet<String>,
) -> NewProduct {
    let adjective = *dice.pick(ADJECTIVES);
    let material = *dice.pick(aisle.materials);
    let kind = *dice.pick(aisle.kinds);
    let name = format!("{adjective} {material} {kind}");
    let mut slug = slugify(&name);
    if !used_slugs.insert(slug.clone()) {
        slug = format!("{slug}-{index}");
        used_slugs.insert(slug.clone());
    }
    let base_price = dice.between(aisle.price_range.0 / 100, aisle.price_range.1 / 100) * 100 - 1;

    // Offer two to four values of each option; every combination is a variant.
    let chosen: Vec<Vec<&str>> = aisle
        .options
        .iter()
        .map(|(_, values)| {
            let count = 2 + dice.below(3).min(values.len().saturating_sub(2));
            let start = dice.below(values.len() - count + 1);
            values[start..start + count].to_vec()
        })
        .collect();
    let mut combinations: Vec<Vec<&str>> = vec![vec![]];
    for values in &chosen {
        combinations = combinations
            .into_iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push(v);
                    next
                })
            })
            .collect();
    }
    let variants = combinations
        .into_iter()
        .enumerate()
        .map(|(position, values)| {
            // Larger sizes cost a little more; one variant in eight is sold out.
            let surcharge = if position > 0 && dice.below(4) == 0 {
                500
            } else {
                0
            };
            let stock = if dice.below(8) == 0 {
                0
            } else {
                dice.between(1, 60) as i32
            };
            let code: String = values
                .iter()
                .map(|v| {
                    slugify(v)
                        .to_uppercase()
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .take(4)
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join("-");
            let sku = if code.is_empty() {
                format!("ST{index:06}")
            } else {
                format!("ST{index:06}-{code}")
            };
            NewVariant {
                sku,
                option_values: values.iter().map(|v| v.to_string()).collect(),
                price_minor: base_price + surcharge,
                stock,
            }
        })
        .collect();
    NewProduct {
        category_id,
        description: describe(dice, adjective, material, kind, aisle),
        slug,
        name,
        option_names: aisle
            .options
            .iter()
            .map(|(name, _)| name.to_string())
            .collect(),
        featured: index.is_multiple_of(25),
        age_minutes: i64::from(index) * 7 + dice.between(0, 6),
        variants,
    }
}

/// Seeds the demo catalog into an empty store. Returns how many products were created.
pub async fn seed_demo_catalog(pool: &PgPool, products: u32) -> Result<u32, SeedError> {
    if products == 0 || products > MAX_DEMO_PRODUCTS {
        return Err(SeedError::BadCount);
    }
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(pool)
        .await?;
    if existing > 0 {
        return Err(SeedError::CatalogNotEmpty(existing));
    }
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM categories")
        .execute(&mut *tx)
        .await?;
    // Demo tax settings: 8 % added at checkout in every zone, 5 % on clothing.
    sqlx::query("UPDATE store_settings SET prices_include_tax = false")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO zone_tax_rates (zone_id, tax_category_id, rate_bp)
         SELECT z.id, t.id, 800 FROM shipping_zones z, tax_categories t WHERE t.is_default
         ON CONFLICT (zone_id, tax_category_id) DO UPDATE SET rate_bp = 800",
    )
    .execute(&mut *tx)
    .await?;
    let clothing_tax: i64 = sqlx::query_scalar(
        "INSERT INTO tax_categories (name) VALUES ('Clothing (reduced)')
         ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO zone_tax_rates (zone_id, tax_category_id, rate_bp)
         SELECT id, $1, 500 FROM shipping_zones
         ON CONFLICT (zone_id, tax_category_id) DO UPDATE SET rate_bp = 500",
    )
    .bind(clothing_tax)
    .execute(&mut *tx)
    .await?;

    let mut aisles: Vec<(i64, &Aisle)> = Vec::new();
    for (position, department) in DEPARTMENTS.iter().enumerate() {
        // Clothing (and everything below it) takes the reduced tax category.
        let parent_id: i64 = sqlx::query_scalar(
            "INSERT INTO categories (slug, name, description, position, tax_category_id)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(department.slug)
        .bind(department.name)
        .bind(department.description)
        .bind(position as i32)
        .bind((department.slug == "clothing").then_some(clothing_tax))
        .fetch_one(&mut *tx)
        .await?;
        for (aisle_position, aisle) in department.aisles.iter().enumerate() {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO categories (parent_id, slug, name, description, position) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(parent_id)
            .bind(aisle.slug)
            .bind(aisle.name)
            .bind(aisle.description)
            .bind(aisle_position as i32)
            .fetch_one(&mut *tx)
            .await?;
            aisles.push((id, aisle));
        }
    }

    let mut dice = Dice(0x005e_ed57_00a1_1ce5_u64);
    let mut used_slugs = HashSet::new();
    let mut start = 0u32;
    while start < products {
        let end = (start + BATCH as u32).min(products);
        let batch: Vec<NewProduct> = (start..end)
            .map(|index| {
                let (category_id, aisle) = aisles[index as usize % aisles.len()];
                generate_product(&mut dice, index + 1, category_id, aisle, &mut used_slugs)
            })
            .collect();
        insert_batch(&mut tx, &batch).await?;
        start = end;
    }
    tx.commit().await?;
    // Fresh planner statistics, and a visibility map so counts can be index-only scans.
    sqlx::query("VACUUM (ANALYZE) categories, products, product_variants, product_images")
        .execute(pool)
        .await?;
    Ok(products)
}

async fn insert_batch(
    tx: &mut sqlx::PgConnection,
    batch: &[NewProduct],
) -> Result<(), sqlx::Error> {
    let join = |values: &[String]| values.join(&UNIT_SEPARATOR.to_string());
    let ids: Vec<(i64, String)> = sqlx::query_as(
        "INSERT INTO products (category_id, slug, name, description, currency, option_names, is_featured, created_at,
                               weight_grams)
         SELECT c, s, n, d, 'USD', CASE WHEN o = '' THEN '{}'::text[] ELSE string_to_array(o, chr(31)) END, f,
                now() - make_interval(mins => a::int), 250 + (a % 8)::int * 250
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::bigint[])
              AS t(c, s, n, d, o, f, a)
         RETURNING id, slug",
    )
    .bind(batch.iter().map(|p| p.category_id).collect::<Vec<_>>())
    .bind(batch.iter().map(|p| p.slug.clone()).collect::<Vec<_>>())
    .bind(batch.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
    .bind(batch.iter().map(|p| p.description.clone()).collect::<Vec<_>>())
    .bind(batch.iter().map(|p| join(&p.option_names)).collect::<Vec<_>>())
    .bind(batch.iter().map(|p| p.featured).collect::<Vec<_>>())
    .bind(batch.iter().map(|p| p.age_minutes).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    let id_of: HashMap<String, i64> = ids.into_iter().map(|(id, slug)| (slug, id)).collect();

    let mut product_ids = Vec::new();
    let mut skus = Vec::new();
    let mut values = Vec::new();
    let mut prices = Vec::new();
    let mut stocks = Vec::new();
    let mut positions = Vec::new();
    for product in batch {
        let id = id_of[&product.slug];
        for (position, variant) in product.variants.iter().enumerate() {
            product_ids.push(id);
            skus.push(variant.sku.clone());
            values.push(join(&variant.option_values));
            prices.push(variant.price_minor);
            stocks.push(variant.stock);
            positions.push(position as i32);
        }
    }
    sqlx::query(
        "INSERT INTO product_variants (product_id, sku, option_values, price_minor, stock, position)
         SELECT p, s, CASE WHEN o = '' THEN '{}'::text[] ELSE string_to_array(o, chr(31)) END, pr, st, po
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[]) AS t(p, s, o, pr, st, po)",
    )
    .bind(&product_ids)
    .bind(&skus)
    .bind(&values)
    .bind(&prices)
    .bind(&stocks)
    .bind(&positions)
    .execute(&mut *tx)
    .await?;

    sqlx::query(
        "INSERT INTO product_images (product_id, url, alt_text)
         SELECT id, '/media/placeholder/' || slug || '.svg', name FROM UNNEST($1::bigint[], $2::text[], $3::text[]) AS t(id, slug, name)",
    )
    .bind(batch.iter().map(|p| id_of[&p.slug]).collect::<Vec<_>>())
    .bind(batch.iter().map(|p| p.slug.clone()).collect::<Vec<_>>())
    .bind(batch.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_valid_for_every_generated_name() {
        let mut dice = Dice(7);
        let mut used = HashSet::new();
        for index in 0..2_000 {
            let (_, aisle) = (0, &DEPARTMENTS[index % 4].aisles[index % 2]);
            let product = generate_product(&mut dice, index as u32 + 1, 1, aisle, &mut used);
            assert!(
                app::kernel::slug::is_valid_slug(&product.slug),
                "{}",
                product.slug
            );
            assert!(!product.variants.is_empty());
            for variant in &product.variants {
                assert_eq!(variant.option_values.len(), product.option_names.len());
                assert!(variant.price_minor >= 0 && variant.stock >= 0);
            }
        }
    }
}
