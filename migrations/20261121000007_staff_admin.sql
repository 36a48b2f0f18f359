-- The staff area: an append-only audit log, a stock-movement ledger kept by the database
-- itself, per-variant low-stock thresholds, archived products, partial refunds, shipment
-- details and the storefront events behind the dashboard's funnel.

-- Every change made from the staff area, written in the transaction of the change.
-- actor_id has no foreign key: the record outlives the account that made it.
CREATE TABLE audit_log (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    actor_id       BIGINT NOT NULL,
    actor_email    TEXT NOT NULL,
    action         TEXT NOT NULL,
    entity_type    TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    before         JSONB,
    after          JSONB,
    client_address TEXT,
    CONSTRAINT audit_log_action_format CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    CONSTRAINT audit_log_entity_type_format CHECK (entity_type ~ '^[a-z_]+$')
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC);

CREATE FUNCTION refuse_audit_log_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION refuse_audit_log_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_log_change();

-- The stock ledger. Rows are written by triggers on product_variants, so every change of
-- stock, whichever code or SQL makes it, has its row, and per variant the deltas always
-- sum to the stock. The transaction names the reason with
-- set_config('stoa.stock_reason', …, true) (also stoa.stock_note, stoa.stock_actor,
-- stoa.stock_request_key);
-- without one, a new variant's stock is 'opening' and a change is 'correction'.
CREATE TYPE stock_reason AS ENUM (
    'opening', 'received', 'damaged', 'correction', 'returned', 'sale', 'cancellation', 'import'
);

CREATE TABLE stock_movements (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    variant_id  BIGINT NOT NULL REFERENCES product_variants (id) ON DELETE CASCADE,
    delta       INTEGER NOT NULL,
    stock_after INTEGER NOT NULL,
    reason      stock_reason NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    actor_id    BIGINT,
    -- Issued with a staff adjustment form: a double click or a retry adjusts once.
    request_key UUID,
    at          TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT stock_movements_request_key_key UNIQUE (request_key),
    CONSTRAINT stock_movements_delta_non_zero CHECK (delta <> 0),
    CONSTRAINT stock_movements_stock_after_non_negative CHECK (stock_after >= 0)
);
CREATE INDEX stock_movements_variant_idx ON stock_movements (variant_id, id DESC);

CREATE FUNCTION record_stock_movements() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    named_reason TEXT := nullif(current_setting('stoa.stock_reason', true), '');
    movement_note TEXT := coalesce(current_setting('stoa.stock_note', true), '');
    actor BIGINT := nullif(current_setting('stoa.stock_actor', true), '')::BIGINT;
    request UUID := nullif(current_setting('stoa.stock_request_key', true), '')::UUID;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO stock_movements (variant_id, delta, stock_after, reason, note, actor_id)
        SELECT n.id, n.stock, n.stock, coalesce(named_reason, 'opening')::stock_reason, movement_note, actor
        FROM new_variants n
        WHERE n.stock <> 0;
    ELSE
        INSERT INTO stock_movements (variant_id, delta, stock_after, reason, note, actor_id, request_key)
        SELECT n.id, n.stock - o.stock, n.stock, coalesce(named_reason, 'correction')::stock_reason,
               movement_note, actor, request
        FROM new_variants n JOIN old_variants o ON o.id = n.id
        WHERE n.stock <> o.stock;
    END IF;
    RETURN NULL;
END
$$;

INSERT INTO stock_movements (variant_id, delta, stock_after, reason)
SELECT id, stock, stock, 'opening' FROM product_variants WHERE stock <> 0;

CREATE TRIGGER product_variants_stock_ledger_insert
AFTER INSERT ON product_variants
REFERENCING NEW TABLE AS new_variants
FOR EACH STATEMENT EXECUTE FUNCTION record_stock_movements();

CREATE TRIGGER product_variants_stock_ledger_update
AFTER UPDATE ON product_variants
REFERENCING OLD TABLE AS old_variants NEW TABLE AS new_variants
FOR EACH STATEMENT EXECUTE FUNCTION record_stock_movements();

-- At or below this, a variant is on the low-stock list and a sale crossing it sends
-- the stock.low webhook event.
ALTER TABLE product_variants
    ADD COLUMN low_stock_threshold INTEGER NOT NULL DEFAULT 5,
    ADD CONSTRAINT product_variants_low_stock_threshold_range CHECK (low_stock_threshold BETWEEN 0 AND 1000000);
CREATE INDEX product_variants_low_stock_idx ON product_variants (stock, id) WHERE stock <= low_stock_threshold;

-- Archived products are off the storefront and out of the staff list's default view;
-- nothing is deleted, so order history keeps its references.
ALTER TABLE products
    ADD COLUMN archived_at TIMESTAMPTZ,
    ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD CONSTRAINT products_archived_unpublished CHECK (archived_at IS NULL OR NOT is_published);
CREATE INDEX products_admin_category_idx ON products (category_id, id DESC);
-- The staff list's "drafts" and "archived" views: few rows, found without a scan.
CREATE INDEX products_draft_idx ON products (id DESC) WHERE NOT is_published AND archived_at IS NULL;
CREATE INDEX products_archived_idx ON products (id DESC) WHERE archived_at IS NOT NULL;

-- Uploaded images come with a thumbnail made by the server; placeholders have none.
ALTER TABLE product_images
    ADD COLUMN thumbnail_url TEXT,
    ADD CONSTRAINT product_images_thumbnail_url_length CHECK (thumbnail_url IS NULL OR length(thumbnail_url) BETWEEN 1 AND 500);

-- Refunds, in full or in part; their sum never exceeds what was paid.
ALTER TABLE orders
    ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN carrier TEXT,
    ADD COLUMN tracking_number TEXT;
UPDATE orders SET refunded_minor = total_minor WHERE status = 'refunded';
ALTER TABLE orders
    ADD CONSTRAINT orders_refund_bounds CHECK (refunded_minor BETWEEN 0 AND total_minor),
    ADD CONSTRAINT orders_shipment_lengths CHECK (
        (carrier IS NULL OR length(btrim(carrier)) BETWEEN 1 AND 100)
        AND (tracking_number IS NULL OR length(btrim(tracking_number)) BETWEEN 1 AND 100)
    );
CREATE INDEX orders_placed_at_idx ON orders (placed_at DESC, id DESC);
CREATE INDEX orders_status_placed_at_idx ON orders (status, placed_at DESC, id DESC);

CREATE TABLE order_refunds (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    amount_minor    BIGINT NOT NULL,
    reason          TEXT NOT NULL,
    -- Issued with the refund form: a double click or a retry refunds once.
    idempotency_key UUID NOT NULL,
    actor_id        BIGINT,
    at              TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT order_refunds_idempotency_key_key UNIQUE (idempotency_key),
    CONSTRAINT order_refunds_amount_positive CHECK (amount_minor > 0),
    CONSTRAINT order_refunds_reason_length CHECK (length(btrim(reason)) BETWEEN 1 AND 500)
);
CREATE INDEX order_refunds_order_idx ON order_refunds (order_id, at);

-- CSV imports and their reports (kept, so a report can be reopened and imports reviewed).
CREATE TABLE catalog_imports (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id BIGINT NOT NULL,
    imported BOOLEAN NOT NULL,
    report   JSONB NOT NULL,
    at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Storefront events for the dashboard's funnel: visits (counted in memory and written in
-- batches), carts created and checkouts started. Orders come from the orders table.
CREATE TABLE storefront_events (
    kind  TEXT NOT NULL,
    at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    count INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT storefront_events_kind CHECK (kind IN ('visit', 'cart', 'checkout')),
    CONSTRAINT storefront_events_count_positive CHECK (count > 0)
);
CREATE INDEX storefront_events_at_idx ON storefront_events (at, kind);
ALTER TABLE carts ADD COLUMN checkout_started_at TIMESTAMPTZ;

-- Staff invitations: an emailed link (valid 7 days) to choose a password. Shoppers are
-- emailed when staff ship their order (with its tracking number), cancel or refund it.
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose CHECK (
    purpose IN ('verify_email', 'reset_password', 'staff_invitation')
);
ALTER TABLE outbox_emails DROP CONSTRAINT outbox_emails_kind;
ALTER TABLE outbox_emails ADD CONSTRAINT outbox_emails_kind CHECK (
    kind IN ('order_confirmation', 'verify_email', 'already_registered', 'password_reset',
             'password_changed', 'staff_invitation', 'order_shipped', 'order_cancelled',
             'order_refunded')
);
-- An order can be refunded in several parts, each emailed; every other kind stays one per
-- order (a retried confirmation or status change never emails twice).
ALTER TABLE outbox_emails DROP CONSTRAINT outbox_emails_one_per_order_and_kind;
CREATE UNIQUE INDEX outbox_emails_one_per_order_and_kind ON outbox_emails (order_id, kind)
    WHERE kind <> 'order_refunded';
