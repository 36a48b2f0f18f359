-- Customer and staff accounts. A staff account is an account with a role; customers have
-- none. Passwords are argon2id PHC strings (see app/src/accounts/password.rs).

CREATE TYPE staff_role AS ENUM ('staff', 'admin', 'owner');

CREATE TABLE accounts (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email             TEXT NOT NULL,
    name              TEXT NOT NULL DEFAULT '',
    password_hash     TEXT NOT NULL,
    role              staff_role,
    is_active         BOOLEAN NOT NULL DEFAULT true,
    -- NULL until the owner of the address follows the link we sent to it; such accounts
    -- cannot log in.
    email_verified_at TIMESTAMPTZ,
    -- Sessions remember the epoch they logged in at; a password change bumps it, which
    -- ends every other session of the account.
    session_epoch     INTEGER NOT NULL DEFAULT 0,
    cart_id           UUID REFERENCES carts (id) ON DELETE SET NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT accounts_email_format CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND length(email) <= 254),
    CONSTRAINT accounts_name_length CHECK (length(name) <= 100),
    CONSTRAINT accounts_password_hash_format CHECK (password_hash LIKE '$argon2id$%' OR password_hash = '!')
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));
CREATE UNIQUE INDEX accounts_cart_key ON accounts (cart_id);

-- Single-use links sent by email: confirming an address, resetting a password. Only a
-- SHA-256 of the token is stored, so a copy of the database cannot use pending links.
CREATE TABLE account_tokens (
    token_hash  BYTEA PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT account_tokens_purpose CHECK (purpose IN ('verify_email', 'reset_password')),
    CONSTRAINT account_tokens_hash_length CHECK (length(token_hash) = 32)
);
CREATE INDEX account_tokens_account_idx ON account_tokens (account_id, purpose);

CREATE TABLE account_addresses (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    line1       TEXT NOT NULL,
    line2       TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    country     TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT account_addresses_lengths CHECK (
        length(btrim(name)) BETWEEN 1 AND 100 AND length(btrim(line1)) BETWEEN 1 AND 200
        AND length(line2) <= 200 AND length(btrim(city)) BETWEEN 1 AND 100
        AND length(btrim(postal_code)) BETWEEN 1 AND 20
    ),
    CONSTRAINT account_addresses_country_format CHECK (country ~ '^[A-Z]{2}$')
);
CREATE INDEX account_addresses_account_idx ON account_addresses (account_id);
CREATE UNIQUE INDEX account_addresses_one_default ON account_addresses (account_id) WHERE is_default;

-- Orders placed while logged in belong to the account; erasing the account keeps the
-- order (its fiscal record) without identity.
ALTER TABLE orders ADD COLUMN account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL;
CREATE INDEX orders_account_idx ON orders (account_id, placed_at DESC) WHERE account_id IS NOT NULL;
-- Set on erasure: the order's personal data was replaced.
ALTER TABLE orders ADD COLUMN erased_at TIMESTAMPTZ;

ALTER TABLE outbox_emails DROP CONSTRAINT outbox_emails_kind;
ALTER TABLE outbox_emails ADD CONSTRAINT outbox_emails_kind CHECK (
    kind IN ('order_confirmation', 'verify_email', 'already_registered', 'password_reset', 'password_changed')
);
