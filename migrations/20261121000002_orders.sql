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
    placed_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT orders_number_key UNIQUE (number),
    CONSTRAINT orders_idempotency_key_key UNIQUE (idempotency_key),
    CONSTRAINT orders_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT orders_email_format CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND length(email) <= 254),
    CONSTRAINT orders_amounts_non_negative CHECK (
        subtotal_minor >= 0 AND shipping_minor >= 0 AND tax_minor >= 0 AND total_minor >= 0
    )
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
