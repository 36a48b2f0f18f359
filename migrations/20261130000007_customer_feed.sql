-- Customers in the integration API (GET /api/v1/customers), listed like orders and
-- products: by the transaction that last changed the account.
ALTER TABLE accounts ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE TRIGGER accounts_note_change BEFORE UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION note_row_change();
CREATE INDEX accounts_change_idx ON accounts (change_xid, id);
