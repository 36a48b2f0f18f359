-- Card payments through Stripe: the provider's events applied once, refunds with the
-- provider's reference, and orders whose payment needs staff.

ALTER TABLE orders
    DROP CONSTRAINT orders_payment_provider,
    ADD CONSTRAINT orders_payment_provider CHECK (payment_provider IN ('manual', 'test-card', 'stripe')),
    -- Why staff must look at this order's payment: the capture failed after the order was
    -- stored, a later payment attempt failed, or the shopper disputed the charge.
    ADD COLUMN payment_attention TEXT,
    ADD COLUMN payment_attention_detail TEXT,
    ADD COLUMN payment_attention_at TIMESTAMPTZ,
    ADD CONSTRAINT orders_payment_attention CHECK (
        (payment_attention IS NULL AND payment_attention_at IS NULL)
        OR (payment_attention IN ('capture_failed', 'payment_failed', 'disputed')
            AND payment_attention_at IS NOT NULL
            AND length(coalesce(payment_attention_detail, '')) <= 500)
    );
CREATE INDEX orders_payment_attention_idx ON orders (payment_attention_at DESC, id DESC)
    WHERE payment_attention IS NOT NULL;
CREATE INDEX orders_payment_reference_idx ON orders (payment_provider, payment_reference)
    WHERE payment_reference IS NOT NULL;

-- A refund moved by the provider carries its id (Stripe's re_…): each is recorded once,
-- whether staff made it here or in the provider's dashboard.
ALTER TABLE order_refunds
    ADD COLUMN provider_reference TEXT,
    ADD COLUMN made_in TEXT NOT NULL DEFAULT 'store',
    ADD CONSTRAINT order_refunds_provider_reference_key UNIQUE (provider_reference),
    ADD CONSTRAINT order_refunds_made_in CHECK (made_in IN ('store', 'provider')),
    ADD CONSTRAINT order_refunds_provider_reference_length CHECK (
        provider_reference IS NULL OR length(provider_reference) BETWEEN 1 AND 255
    );

-- Every event a provider sent, once: a redelivered event finds its row and changes nothing.
CREATE TABLE payment_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    order_id    BIGINT REFERENCES orders (id) ON DELETE SET NULL,
    -- What applying it did: e.g. 'marked_paid', 'refund_recorded', 'unknown_payment', 'ignored'.
    outcome     TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id),
    CONSTRAINT payment_events_lengths CHECK (
        length(event_id) BETWEEN 1 AND 255 AND length(event_type) BETWEEN 1 AND 100
        AND length(outcome) BETWEEN 1 AND 100
    )
);
CREATE INDEX payment_events_order_idx ON payment_events (order_id, received_at) WHERE order_id IS NOT NULL;
