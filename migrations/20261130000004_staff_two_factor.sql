-- Two-factor login (TOTP, RFC 6238) for staff, one-time recovery codes, and every
-- logged-in session an account has, so people can see and end them.

CREATE TABLE account_two_factor (
    account_id     BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    -- The shared secret (160 bits) the authenticator app holds.
    secret         BYTEA NOT NULL,
    -- NULL while enrolling: the secret is shown but no code has proven the app has it.
    confirmed_at   TIMESTAMPTZ,
    -- The time step of the last code accepted: a code must be of a later step, so a code
    -- seen over someone's shoulder cannot be used again within its window.
    last_used_step BIGINT NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT account_two_factor_secret_length CHECK (length(secret) = 20)
);

CREATE TABLE account_recovery_codes (
    id         BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- SHA-256 of the code (the codes are random, 50 bits each): the database never holds
    -- a working code.
    code_hash  BYTEA NOT NULL,
    used_at    TIMESTAMPTZ,
    CONSTRAINT account_recovery_codes_hash_length CHECK (length(code_hash) = 32)
);
CREATE INDEX account_recovery_codes_account ON account_recovery_codes (account_id);

CREATE TABLE account_logins (
    id             UUID PRIMARY KEY,
    account_id     BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_agent     TEXT NOT NULL DEFAULT '',
    client_address TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT account_logins_user_agent_length CHECK (length(user_agent) <= 512),
    CONSTRAINT account_logins_client_address_length CHECK (length(client_address) <= 64)
);
CREATE INDEX account_logins_account ON account_logins (account_id, last_seen_at DESC);

ALTER TABLE store_settings
    ADD COLUMN require_staff_two_factor BOOLEAN NOT NULL DEFAULT false;
