-- The catalog: nested categories, products, their variants (one SKU each) and images.
-- Money is integer minor units with a currency code; constraints keep bad states out.

CREATE TABLE categories (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id   BIGINT REFERENCES categories (id) ON DELETE RESTRICT,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT categories_slug_key UNIQUE (slug),
    CONSTRAINT categories_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
    CONSTRAINT categories_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    CONSTRAINT categories_description_length CHECK (length(description) <= 5000),
    CONSTRAINT categories_not_own_parent CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX categories_parent_idx ON categories (parent_id);

CREATE TABLE products (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category_id      BIGINT NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
    slug             TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    currency         TEXT NOT NULL,
    -- Names of the options variants differ by ("Size", "Colour"), in display order.
    option_names     TEXT[] NOT NULL DEFAULT '{}',
    is_featured      BOOLEAN NOT NULL DEFAULT false,
    is_published     BOOLEAN NOT NULL DEFAULT true,
    -- Lowest and highest variant price, kept current by triggers on product_variants.
    from_price_minor BIGINT NOT NULL DEFAULT 0,
    to_price_minor   BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    search_document  TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english', name), 'A') ||
        setweight(to_tsvector('english', description), 'C')
    ) STORED,
    CONSTRAINT products_slug_key UNIQUE (slug),
    CONSTRAINT products_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
    CONSTRAINT products_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    CONSTRAINT products_description_length CHECK (length(description) <= 20000),
    CONSTRAINT products_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT products_price_non_negative CHECK (from_price_minor >= 0 AND to_price_minor >= from_price_minor)
);
CREATE INDEX products_search_idx ON products USING GIN (search_document);
CREATE INDEX products_category_newest_idx ON products (category_id, created_at DESC, id DESC) WHERE is_published;
CREATE INDEX products_category_price_idx ON products (category_id, from_price_minor, id) WHERE is_published;
CREATE INDEX products_category_name_idx ON products (category_id, name, id) WHERE is_published;
CREATE INDEX products_newest_idx ON products (created_at DESC, id DESC) WHERE is_published;
CREATE INDEX products_featured_idx ON products (id) WHERE is_featured AND is_published;

CREATE TABLE product_variants (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id    BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku           TEXT NOT NULL,
    -- One value per entry of the product's option_names.
    option_values TEXT[] NOT NULL DEFAULT '{}',
    price_minor   BIGINT NOT NULL,
    stock         INTEGER NOT NULL DEFAULT 0,
    position      INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT product_variants_sku_key UNIQUE (sku),
    CONSTRAINT product_variants_options_key UNIQUE (product_id, option_values),
    CONSTRAINT product_variants_sku_format CHECK (sku ~ '^[A-Z0-9][A-Z0-9-]{0,63}$'),
    CONSTRAINT product_variants_price_non_negative CHECK (price_minor >= 0),
    CONSTRAINT product_variants_stock_non_negative CHECK (stock >= 0)
);
CREATE INDEX product_variants_product_idx ON product_variants (product_id, position, id);
CREATE INDEX product_variants_in_stock_idx ON product_variants (product_id) WHERE stock > 0;

CREATE TABLE product_images (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    alt_text   TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT product_images_url_length CHECK (length(url) BETWEEN 1 AND 500),
    CONSTRAINT product_images_alt_length CHECK (length(btrim(alt_text)) BETWEEN 1 AND 300)
);
CREATE INDEX product_images_product_idx ON product_images (product_id, position, id);

-- Keeps products.from_price_minor / to_price_minor equal to the range of their variants'
-- prices. Statement-level with transition tables, so a bulk insert of 300,000 variants
-- runs it once; rows whose range did not change are not touched (and not locked), so a
-- stock-only update never locks the product row.
CREATE FUNCTION refresh_product_price_range() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p
    SET from_price_minor = r.min_price, to_price_minor = r.max_price
    FROM (
        SELECT v.product_id, min(v.price_minor) AS min_price, max(v.price_minor) AS max_price
        FROM product_variants v
        WHERE v.product_id IN (SELECT DISTINCT product_id FROM changed_variants)
        GROUP BY v.product_id
    ) r
    WHERE p.id = r.product_id
      AND (p.from_price_minor, p.to_price_minor) IS DISTINCT FROM (r.min_price, r.max_price);
    RETURN NULL;
END
$$;

CREATE TRIGGER product_variants_price_range_insert
AFTER INSERT ON product_variants
REFERENCING NEW TABLE AS changed_variants
FOR EACH STATEMENT EXECUTE FUNCTION refresh_product_price_range();

CREATE TRIGGER product_variants_price_range_update
AFTER UPDATE ON product_variants
REFERENCING NEW TABLE AS changed_variants
FOR EACH STATEMENT EXECUTE FUNCTION refresh_product_price_range();

CREATE TRIGGER product_variants_price_range_delete
AFTER DELETE ON product_variants
REFERENCING OLD TABLE AS changed_variants
FOR EACH STATEMENT EXECUTE FUNCTION refresh_product_price_range();
