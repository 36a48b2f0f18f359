-- Promotions and discount codes.
--
-- A promotion is either automatic (applies whenever its conditions hold) or reached through
-- codes. Its benefit is a percentage or an amount off (the order, or given products or
-- categories), free shipping, or "buy X get Y". Uses are the rows of order_discounts that
-- are not released: taking one happens inside the place-order transaction, under a lock on
-- the promotion (and on the code), so limits hold whatever runs concurrently; cancelling
-- an order releases its uses.

CREATE TABLE promotions (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               TEXT NOT NULL,
    -- 'percent_off', 'amount_off', 'free_shipping', 'buy_x_get_y'
    kind               TEXT NOT NULL,
    -- percent_off and buy_x_get_y: basis points (2000 = 20 %); amount_off: minor units.
    value              BIGINT NOT NULL DEFAULT 0,
    buy_quantity       INTEGER,
    get_quantity       INTEGER,
    -- Empty arrays: the whole order. Categories include their subcategories.
    product_ids        BIGINT[] NOT NULL DEFAULT '{}',
    category_ids       BIGINT[] NOT NULL DEFAULT '{}',
    min_subtotal_minor BIGINT,
    min_quantity       INTEGER,
    starts_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    ends_at            TIMESTAMPTZ,
    -- false: applies by itself when its conditions hold; true: only with one of its codes.
    needs_code         BOOLEAN NOT NULL,
    -- Whether it may be applied together with other promotions that also combine.
    combines           BOOLEAN NOT NULL DEFAULT false,
    -- Higher first when promotions are applied together, and the tie-break between equals.
    priority           INTEGER NOT NULL DEFAULT 0,
    usage_limit        INTEGER,
    per_customer_limit INTEGER,
    is_paused          BOOLEAN NOT NULL DEFAULT false,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT promotions_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    CONSTRAINT promotions_kind CHECK (kind IN ('percent_off', 'amount_off', 'free_shipping', 'buy_x_get_y')),
    CONSTRAINT promotions_value CHECK (
        CASE kind
            WHEN 'percent_off' THEN value BETWEEN 1 AND 10000
            WHEN 'buy_x_get_y' THEN value BETWEEN 1 AND 10000 AND buy_quantity >= 1 AND get_quantity >= 1
            WHEN 'amount_off' THEN value >= 1
            ELSE value = 0
        END
    ),
    CONSTRAINT promotions_conditions CHECK (
        (min_subtotal_minor IS NULL OR min_subtotal_minor >= 0) AND (min_quantity IS NULL OR min_quantity >= 1)
    ),
    CONSTRAINT promotions_limits CHECK (
        (usage_limit IS NULL OR usage_limit >= 1) AND (per_customer_limit IS NULL OR per_customer_limit >= 1)
    ),
    CONSTRAINT promotions_period CHECK (ends_at IS NULL OR ends_at > starts_at)
);

-- Codes are kept upper-case: shoppers type them in any case.
CREATE TABLE promotion_codes (
    code         TEXT PRIMARY KEY,
    promotion_id BIGINT NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    -- NULL: as often as the promotion allows; 1 for the codes of a generated batch.
    max_uses     INTEGER,
    batch        TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT promotion_codes_format CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{2,39}$'),
    CONSTRAINT promotion_codes_max_uses CHECK (max_uses IS NULL OR max_uses >= 1)
);
CREATE INDEX promotion_codes_promotion_idx ON promotion_codes (promotion_id, created_at);

-- The code a shopper entered in their cart, checked again when the order is placed.
ALTER TABLE carts ADD COLUMN promotion_code TEXT;

-- Each promotion an order used, with what it took off the lines and the shipping.
CREATE TABLE order_discounts (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id       BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    promotion_id   BIGINT NOT NULL REFERENCES promotions (id) ON DELETE RESTRICT,
    name           TEXT NOT NULL,
    code           TEXT,
    lines_minor    BIGINT NOT NULL,
    shipping_minor BIGINT NOT NULL,
    -- Whose use this is, for per-customer limits: the account, else the email.
    account_id     BIGINT,
    email          TEXT NOT NULL,
    -- Set when the order is cancelled: the use is given back.
    released_at    TIMESTAMPTZ,
    CONSTRAINT order_discounts_amounts CHECK (lines_minor >= 0 AND shipping_minor >= 0),
    CONSTRAINT order_discounts_once UNIQUE (order_id, promotion_id)
);
CREATE INDEX order_discounts_promotion_idx ON order_discounts (promotion_id) WHERE released_at IS NULL;
CREATE INDEX order_discounts_code_idx ON order_discounts (code) WHERE code IS NOT NULL AND released_at IS NULL;

-- What each promotion took off each line, so receipts, refunds and reports explain the money.
CREATE TABLE order_line_discounts (
    order_line_id BIGINT NOT NULL REFERENCES order_lines (id) ON DELETE RESTRICT,
    promotion_id  BIGINT NOT NULL REFERENCES promotions (id) ON DELETE RESTRICT,
    amount_minor  BIGINT NOT NULL,
    PRIMARY KEY (order_line_id, promotion_id),
    CONSTRAINT order_line_discounts_amount CHECK (amount_minor > 0)
);

ALTER TABLE order_lines ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0,
    ADD CONSTRAINT order_lines_discount CHECK (discount_minor BETWEEN 0 AND line_total_minor);

ALTER TABLE orders ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0,
    DROP CONSTRAINT orders_total_adds_up,
    ADD CONSTRAINT orders_discount CHECK (discount_minor BETWEEN 0 AND subtotal_minor + shipping_minor),
    ADD CONSTRAINT orders_total_adds_up CHECK (
        total_minor = subtotal_minor - discount_minor + shipping_minor
                      + CASE WHEN prices_include_tax THEN 0 ELSE tax_minor END
    );
