-- Keys for the integration API (/api/v1): ERP, warehouse and accounting systems. A key is
-- shown once; the database keeps its SHA-256 and a prefix people recognise it by.

CREATE TABLE api_keys (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              TEXT NOT NULL,
    -- `stoa_` and 8 hex digits: shown in lists and logs, and how a presented key is found.
    prefix            TEXT NOT NULL,
    secret_hash       BYTEA NOT NULL,
    scopes            TEXT[] NOT NULL,
    -- The staff member who made it (kept when they leave: the key's audit trail names them).
    created_by        BIGINT NOT NULL,
    created_by_email  TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at        TIMESTAMPTZ,
    revoked_at        TIMESTAMPTZ,
    last_used_at      TIMESTAMPTZ,
    last_used_address TEXT,
    requests          BIGINT NOT NULL DEFAULT 0,
    failed_requests   BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
    CONSTRAINT api_keys_name_length CHECK (length(name) BETWEEN 1 AND 100),
    CONSTRAINT api_keys_hash_length CHECK (length(secret_hash) = 32),
    CONSTRAINT api_keys_scopes_known CHECK (
        scopes <@ ARRAY['catalog:read', 'catalog:write', 'stock:write', 'orders:read',
                        'orders:write', 'customers:read']::text[]
        AND cardinality(scopes) > 0)
);

-- What an idempotent write answered, so a retried request gets the same answer and
-- changes nothing twice.
CREATE TABLE api_idempotent_requests (
    api_key_id      BIGINT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    request_hash    BYTEA NOT NULL,
    status          SMALLINT NOT NULL,
    response        JSONB NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, idempotency_key),
    CONSTRAINT api_idempotent_requests_key_length CHECK (length(idempotency_key) BETWEEN 1 AND 200)
);

-- Which transaction last changed a row (`pg_current_xact_id()`): the integration API lists
-- by it, and only up to the oldest transaction still in flight, so a page never skips a
-- row that a slower transaction commits later (a timestamp or a sequence would).
CREATE FUNCTION note_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id();
    IF TG_TABLE_NAME = 'orders' THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;

ALTER TABLE orders
    ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE TRIGGER orders_note_change BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION note_row_change();
CREATE INDEX orders_change_idx ON orders (change_xid, id);

ALTER TABLE products
    ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE TRIGGER products_note_change BEFORE UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION note_row_change();
CREATE INDEX products_change_idx ON products (change_xid, id);
