-- Cards a customer chose to keep for next time. The provider keeps the card; the store
-- keeps which one it is (the provider's reference) and what the shopper recognises it by:
-- brand, last four digits and expiry. Never the number.

ALTER TABLE accounts
    ADD COLUMN stripe_customer_id TEXT,
    ADD CONSTRAINT accounts_stripe_customer_id_key UNIQUE (stripe_customer_id),
    ADD CONSTRAINT accounts_stripe_customer_id_format CHECK (
        stripe_customer_id IS NULL OR stripe_customer_id ~ '^cus_[A-Za-z0-9]{1,250}$'
    );

CREATE TABLE saved_cards (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    provider           TEXT NOT NULL,
    provider_reference TEXT NOT NULL,
    brand              TEXT NOT NULL,
    last4              TEXT NOT NULL,
    exp_month          SMALLINT NOT NULL,
    exp_year           SMALLINT NOT NULL,
    saved_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT saved_cards_reference_key UNIQUE (provider, provider_reference),
    CONSTRAINT saved_cards_provider CHECK (provider IN ('stripe')),
    CONSTRAINT saved_cards_reference_length CHECK (length(provider_reference) BETWEEN 1 AND 255),
    CONSTRAINT saved_cards_brand_length CHECK (length(brand) BETWEEN 1 AND 40),
    CONSTRAINT saved_cards_last4_format CHECK (last4 ~ '^[0-9]{4}$'),
    CONSTRAINT saved_cards_expiry CHECK (exp_month BETWEEN 1 AND 12 AND exp_year BETWEEN 2000 AND 2100)
);
CREATE INDEX saved_cards_account_idx ON saved_cards (account_id, id);
