-- Failed attempts (order look-ups now, logins later), counted per scope and key within a
-- time window. Kept in PostgreSQL so limits hold across restarts and server processes.
CREATE TABLE failed_attempts (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT failed_attempts_scope_format CHECK (scope ~ '^[a-z_]{1,40}$'),
    CONSTRAINT failed_attempts_key_length CHECK (length(key) BETWEEN 1 AND 300)
);
CREATE INDEX failed_attempts_window_idx ON failed_attempts (scope, key, attempted_at);
