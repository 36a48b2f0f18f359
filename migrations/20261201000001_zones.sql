-- Shipping and tax by zone (/admin/shipping-tax). A zone is a named set of countries,
-- optionally narrowed to postal-code prefixes; an address belongs to the zone of its most
-- specific area (the longest matching prefix), else to the "rest of the world" zone if
-- there is one, else to none (and cannot be shipped to). Each shipping method belongs to
-- one zone; tax rates are set per zone and tax category.
--
-- An existing store keeps what it had: one "Everywhere" zone (rest of the world) holding
-- its methods, a "Standard" tax category at its default rate, and one tax category per
-- distinct category rate.

CREATE TABLE shipping_zones (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             TEXT NOT NULL,
    -- Holds every address no other zone's area matches.
    rest_of_world    BOOLEAN NOT NULL DEFAULT false,
    -- Shipping is taxed at the zone's rate of the default tax category.
    shipping_taxable BOOLEAN NOT NULL DEFAULT false,
    position         INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT shipping_zones_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    CONSTRAINT shipping_zones_name_key UNIQUE (name)
);
CREATE UNIQUE INDEX shipping_zones_one_rest_of_world ON shipping_zones (rest_of_world) WHERE rest_of_world;

-- A country, or the part of it whose postal codes start with the prefix (upper case, no
-- spaces). An area belongs to one zone.
CREATE TABLE zone_areas (
    zone_id       BIGINT NOT NULL REFERENCES shipping_zones (id) ON DELETE CASCADE,
    country       TEXT NOT NULL,
    postal_prefix TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (country, postal_prefix),
    CONSTRAINT zone_areas_country_format CHECK (country ~ '^[A-Z]{2}$'),
    CONSTRAINT zone_areas_prefix_format CHECK (postal_prefix ~ '^[A-Z0-9]{0,10}$')
);
CREATE INDEX zone_areas_zone_idx ON zone_areas (zone_id);

INSERT INTO shipping_zones (name, rest_of_world, position) VALUES ('Everywhere', true, 0);

-- How a method's price is found: one flat price, or bands by the order's value after
-- discounts or by its weight. A band applies from its lower bound up to the next band's;
-- below the first band the method is not offered.
ALTER TABLE shipping_methods
    ADD COLUMN zone_id BIGINT REFERENCES shipping_zones (id) ON DELETE RESTRICT,
    ADD COLUMN rate_basis TEXT NOT NULL DEFAULT 'flat',
    ADD CONSTRAINT shipping_methods_rate_basis CHECK (rate_basis IN ('flat', 'order_value', 'weight'));
UPDATE shipping_methods SET zone_id = (SELECT id FROM shipping_zones WHERE name = 'Everywhere');
ALTER TABLE shipping_methods ALTER COLUMN zone_id SET NOT NULL;
CREATE INDEX shipping_methods_zone_idx ON shipping_methods (zone_id);

CREATE TABLE shipping_rate_bands (
    method_code TEXT NOT NULL REFERENCES shipping_methods (code) ON DELETE CASCADE ON UPDATE CASCADE,
    -- Minor units of the order's value, or grams.
    from_amount BIGINT NOT NULL,
    price_minor BIGINT NOT NULL,
    PRIMARY KEY (method_code, from_amount),
    CONSTRAINT shipping_rate_bands_amounts CHECK (from_amount >= 0 AND price_minor >= 0)
);

-- What a product weighs packed, in grams; 0 when not set.
ALTER TABLE products
    ADD COLUMN weight_grams INTEGER NOT NULL DEFAULT 0,
    ADD CONSTRAINT products_weight_range CHECK (weight_grams BETWEEN 0 AND 1000000);

-- Tax categories: a product's own, else its category's (or the nearest ancestor's), else
-- the default one.
CREATE TABLE tax_categories (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT tax_categories_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    CONSTRAINT tax_categories_name_key UNIQUE (name)
);
CREATE UNIQUE INDEX tax_categories_one_default ON tax_categories (is_default) WHERE is_default;

-- A missing rate is 0 %.
CREATE TABLE zone_tax_rates (
    zone_id         BIGINT NOT NULL REFERENCES shipping_zones (id) ON DELETE CASCADE,
    tax_category_id BIGINT NOT NULL REFERENCES tax_categories (id) ON DELETE CASCADE,
    rate_bp         INTEGER NOT NULL,
    PRIMARY KEY (zone_id, tax_category_id),
    CONSTRAINT zone_tax_rates_rate_range CHECK (rate_bp BETWEEN 0 AND 10000)
);

ALTER TABLE categories ADD COLUMN tax_category_id BIGINT REFERENCES tax_categories (id) ON DELETE SET NULL;
ALTER TABLE products ADD COLUMN tax_category_id BIGINT REFERENCES tax_categories (id) ON DELETE SET NULL;

INSERT INTO tax_categories (name, is_default) VALUES ('Standard', true);
INSERT INTO zone_tax_rates (zone_id, tax_category_id, rate_bp)
SELECT z.id, t.id, s.default_tax_rate_bp
FROM shipping_zones z, tax_categories t, store_settings s
WHERE z.name = 'Everywhere' AND t.is_default;

INSERT INTO tax_categories (name)
SELECT DISTINCT 'Rate ' || trim_scale(rate_bp / 100.0)::text || ' %' FROM tax_rates;
INSERT INTO zone_tax_rates (zone_id, tax_category_id, rate_bp)
SELECT DISTINCT z.id, t.id, r.rate_bp
FROM tax_rates r
JOIN tax_categories t ON t.name = 'Rate ' || trim_scale(r.rate_bp / 100.0)::text || ' %'
CROSS JOIN shipping_zones z
WHERE z.name = 'Everywhere';
UPDATE categories c SET tax_category_id = t.id
FROM tax_rates r JOIN tax_categories t ON t.name = 'Rate ' || trim_scale(r.rate_bp / 100.0)::text || ' %'
WHERE r.category_id = c.id;

DROP TABLE tax_rates;
ALTER TABLE store_settings DROP COLUMN default_tax_rate_bp;
