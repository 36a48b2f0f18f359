-- Webhooks: events are written to an outbox in the transaction of the change they report,
-- with one delivery row per subscribed endpoint; a background worker delivers them.

CREATE TABLE webhook_endpoints (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url        TEXT NOT NULL,
    -- Shared with the receiver, which checks the HMAC-SHA256 signature of each delivery.
    secret     TEXT NOT NULL,
    events     TEXT[] NOT NULL,
    is_active  BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT webhook_endpoints_url_format CHECK (url ~ '^https?://[^[:space:]]+$' AND length(url) <= 2000),
    CONSTRAINT webhook_endpoints_secret_length CHECK (length(secret) BETWEEN 16 AND 200),
    CONSTRAINT webhook_endpoints_events_known CHECK (
        cardinality(events) > 0 AND events <@ ARRAY['order.created', 'order.paid', 'order.fulfilled',
                                                   'order.refunded', 'product.updated', 'stock.low']
    )
);

CREATE TABLE webhook_events (
    -- Sent with every delivery of the event, so receivers can drop duplicates.
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type TEXT NOT NULL,
    payload    JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        UUID NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    endpoint_id     BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at    TIMESTAMPTZ,
    last_status     INTEGER,
    last_error      TEXT,
    last_attempt_at TIMESTAMPTZ,
    CONSTRAINT webhook_deliveries_once_per_endpoint UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL;
