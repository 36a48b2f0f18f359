-- Requests per API key and day, counted in memory by each server process and added here
-- every few seconds, so the Integrations page shows each key's recent use and error rate
-- without a write per request. Replaces the all-time counters on api_keys, never written.

CREATE TABLE api_key_usage (
    api_key_id BIGINT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    day        DATE NOT NULL,
    requests   BIGINT NOT NULL,
    -- Answered 4xx or 5xx (refused scope, invalid body, not found, rate limited, failure).
    errors     BIGINT NOT NULL,
    PRIMARY KEY (api_key_id, day),
    CONSTRAINT api_key_usage_counts CHECK (requests >= 0 AND errors BETWEEN 0 AND requests)
);

ALTER TABLE api_keys DROP COLUMN requests, DROP COLUMN failed_requests;
