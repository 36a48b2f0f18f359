-- Maintenance mode: while on, shoppers get a friendly 503 page; staff keep access.
ALTER TABLE store_settings ADD COLUMN maintenance_mode BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE store_settings ADD COLUMN maintenance_message TEXT NOT NULL DEFAULT '';
ALTER TABLE store_settings ADD CONSTRAINT store_settings_maintenance_message_length
    CHECK (length(maintenance_message) <= 500);
