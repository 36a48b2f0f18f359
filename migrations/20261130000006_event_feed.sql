-- The event feed of the integration API (GET /api/v1/events?after=SEQ): every event is
-- kept (not only those with a webhook subscriber) and gets a sequence number in the order
-- its transaction became visible, so a system that was down catches up from its last
-- number without missing one.

ALTER TABLE webhook_events
    ADD COLUMN seq BIGINT,
    ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE UNIQUE INDEX webhook_events_seq_key ON webhook_events (seq);
CREATE INDEX webhook_events_unsequenced_idx ON webhook_events (change_xid, created_at) WHERE seq IS NULL;
CREATE SEQUENCE webhook_event_seq;

-- Endpoints may subscribe to cancellations too.
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_events_known;
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_events_known CHECK (
    cardinality(events) > 0 AND events <@ ARRAY['order.created', 'order.paid', 'order.fulfilled',
                                               'order.refunded', 'order.cancelled',
                                               'product.updated', 'stock.low']
);
