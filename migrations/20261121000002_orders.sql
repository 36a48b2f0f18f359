-- Carts and orders. Placing an order is one transaction (see app/src/orders/place.rs);
-- these constraints are the last line of defence behind it.

CREATE TABLE carts (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE cart_lines (
    cart_id    UUID NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    variant_id BIGINT NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
    quantity   INTEGER NOT NULL,
    added_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (cart_id, variant_id),
    CONSTRAINT cart_lines_quantity_range CHECK (quantity BETWEEN 1 AND 99)
);

-- Store-wide settings: exactly one row.
CREATE TABLE store_settings (
    id                  BOOLEAN PRIMARY KEY DEFAULT true,
    currency            TEXT NOT NULL DEFAULT 'USD',
    -- true: catalog prices include tax (shown as "includes"); false: tax is added at checkout.
    prices_include_tax  BOOLEAN NOT NULL DEFAULT false,
    default_tax_rate_bp INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT store_settings_single_row CHECK (id),
    CONSTRAINT store_settings_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT store_settings_tax_rate_range CHECK (default_tax_rate_bp BETWEEN 0 AND 10000)
);
INSERT INTO store_settings DEFAULT VALUES;

-- A tax rate (basis points: 825 = 8.25 %) for a category and everything below it.
CREATE TABLE tax_rates (
    category_id BIGINT PRIMARY KEY REFERENCES categories (id) ON DELETE CASCADE,
    rate_bp     INTEGER NOT NULL,
    CONSTRAINT tax_rates_rate_range CHECK (rate_bp BETWEEN 0 AND 10000)
);

CREATE TABLE shipping_methods (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    price_minor     BIGINT NOT NULL,
    -- Orders whose subtotal reaches this ship free; NULL: never free.
    free_over_minor BIGINT,
    position        INTEGER NOT NULL DEFAULT 0,
    is_active       BOOLEAN NOT NULL DEFAULT true,
    CONSTRAINT shipping_methods_code_format CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT shipping_methods_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    CONSTRAINT shipping_methods_amounts CHECK (price_minor >= 0 AND (free_over_minor IS NULL OR free_over_minor >= 0))
);
INSERT INTO shipping_methods (code, name, price_minor, free_over_minor, position) VALUES
    ('standard', 'Standard delivery (3–5 working days)', 495, 7500, 0),
    ('express', 'Express delivery (next working day)', 1495, NULL, 1);

CREATE TYPE order_status AS ENUM (
    'pending_payment', 'paid', 'fulfilled', 'completed', 'cancelled', 'refunded'
);

CREATE SEQUENCE order_number_seq START WITH 10001;

CREATE TABLE orders (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- What shoppers and staff quote: ST-10001, ST-10002, ...
    number          TEXT NOT NULL DEFAULT ('ST-' || nextval('order_number_seq')),
    -- Issued with the checkout page: a retried or doubled submit finds this order again.
    idempotency_key UUID NOT NULL,
    cart_id         UUID NOT NULL,
    email           TEXT NOT NULL,
    status          order_status NOT NULL DEFAULT 'pending_payment',
    currency        TEXT NOT NULL,
    subtotal_minor  BIGINT NOT NULL,
    shipping_minor  BIGINT NOT NULL,
    tax_minor       BIGINT NOT NULL,
    total_minor     BIGINT NOT NULL,
    -- Whether subtotal already contains tax_minor (true) or tax_minor was added (false).
    prices_include_tax BOOLEAN NOT NULL,
    ship_name        TEXT NOT NULL,
    ship_line1       TEXT NOT NULL,
    ship_line2       TEXT NOT NULL DEFAULT '',
    ship_city        TEXT NOT NULL,
    ship_postal_code TEXT NOT NULL,
    ship_country     TEXT NOT NULL,
    shipping_method  TEXT NOT NULL,
    -- Payment: which provider, its reference, and for cards only brand and last four digits.
    payment_provider  TEXT NOT NULL,
    payment_reference TEXT,
    card_brand        TEXT,
    card_last4        TEXT,
    placed_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT orders_number_key UNIQUE (number),
    CONSTRAINT orders_idempotency_key_key UNIQUE (idempotency_key),
    CONSTRAINT orders_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT orders_email_format CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND length(email) <= 254),
    CONSTRAINT orders_amounts_non_negative CHECK (
        subtotal_minor >= 0 AND shipping_minor >= 0 AND tax_minor >= 0 AND total_minor >= 0
    ),
    CONSTRAINT orders_total_adds_up CHECK (
        total_minor = subtotal_minor + shipping_minor + CASE WHEN prices_include_tax THEN 0 ELSE tax_minor END
    ),
    CONSTRAINT orders_address_lengths CHECK (
        length(btrim(ship_name)) BETWEEN 1 AND 100 AND length(btrim(ship_line1)) BETWEEN 1 AND 200
        AND length(ship_line2) <= 200 AND length(btrim(ship_city)) BETWEEN 1 AND 100
        AND length(btrim(ship_postal_code)) BETWEEN 1 AND 20
    ),
    CONSTRAINT orders_country_format CHECK (ship_country ~ '^[A-Z]{2}$'),
    CONSTRAINT orders_payment_provider CHECK (payment_provider IN ('manual', 'test-card')),
    -- Never more of a card than its last four digits.
    CONSTRAINT orders_card_last4_format CHECK (card_last4 IS NULL OR card_last4 ~ '^[0-9]{4}$')
);
CREATE INDEX orders_email_idx ON orders (lower(email));

-- A snapshot of what was bought, at the price and name of that moment.
CREATE TABLE order_lines (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id         BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    variant_id       BIGINT REFERENCES product_variants (id) ON DELETE SET NULL,
    sku              TEXT NOT NULL,
    product_name     TEXT NOT NULL,
    option_values    TEXT[] NOT NULL DEFAULT '{}',
    unit_price_minor BIGINT NOT NULL,
    quantity         INTEGER NOT NULL,
    line_total_minor BIGINT NOT NULL,
    tax_rate_bp      INTEGER NOT NULL,
    tax_minor        BIGINT NOT NULL,
    CONSTRAINT order_lines_tax CHECK (tax_rate_bp BETWEEN 0 AND 10000 AND tax_minor >= 0),
    CONSTRAINT order_lines_quantity_positive CHECK (quantity > 0),
    CONSTRAINT order_lines_amounts CHECK (
        unit_price_minor >= 0 AND line_total_minor = unit_price_minor * quantity
    )
);
CREATE INDEX order_lines_order_idx ON order_lines (order_id);

-- Every change of status, with its time; the first row (from_status NULL) is placement.
CREATE TABLE order_transitions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    from_status order_status,
    to_status   order_status NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    at          TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX order_transitions_order_idx ON order_transitions (order_id, at);

-- Shopper sessions: tower-sessions' PostgreSQL store reads and writes this table
-- (configured with schema "public", table "sessions"); expired rows are deleted by the server.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry_date);

-- Emails to send, written in the same transaction as what they announce and sent after
-- the commit by a background worker, with retries; sent or not, each stays on record.
CREATE TABLE outbox_emails (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        BIGINT REFERENCES orders (id) ON DELETE SET NULL,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error      TEXT,
    CONSTRAINT outbox_emails_kind CHECK (kind IN ('order_confirmation')),
    CONSTRAINT outbox_emails_one_per_order_and_kind UNIQUE (order_id, kind)
);
CREATE INDEX outbox_emails_due_idx ON outbox_emails (next_attempt_at) WHERE sent_at IS NULL;
