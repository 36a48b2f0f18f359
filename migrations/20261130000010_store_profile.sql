-- The store's own settings on screen (/admin/settings): its name, how shoppers reach it,
-- its time zone, the sender of its emails and the prefix of its order numbers. NULL name
-- and sender: the server's STOA_STORE_NAME and STOA_MAIL_FROM.

ALTER TABLE store_settings
    ADD COLUMN store_name          TEXT,
    ADD COLUMN contact_email       TEXT NOT NULL DEFAULT '',
    ADD COLUMN contact_address     TEXT NOT NULL DEFAULT '',
    ADD COLUMN time_zone           TEXT NOT NULL DEFAULT 'UTC',
    ADD COLUMN mail_from           TEXT,
    ADD COLUMN order_number_prefix TEXT NOT NULL DEFAULT 'ST-',
    ADD CONSTRAINT store_settings_name CHECK (store_name IS NULL OR length(btrim(store_name)) BETWEEN 1 AND 100),
    ADD CONSTRAINT store_settings_contact CHECK (length(contact_email) <= 254 AND length(contact_address) <= 500),
    ADD CONSTRAINT store_settings_time_zone CHECK (length(time_zone) BETWEEN 1 AND 64),
    ADD CONSTRAINT store_settings_order_prefix CHECK (order_number_prefix ~ '^[A-Z0-9]{1,8}-?$');

-- A new order's number: the prefix of the moment and the next number, never reused.
CREATE FUNCTION next_order_number() RETURNS TEXT LANGUAGE sql VOLATILE AS $$
    SELECT order_number_prefix || nextval('order_number_seq') FROM store_settings
$$;
ALTER TABLE orders ALTER COLUMN number SET DEFAULT next_order_number();
