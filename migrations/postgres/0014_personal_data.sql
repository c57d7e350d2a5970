-- Each customer's data keys (domain/personal_data.py): personal fields of events are sealed under
-- them. Forgetting a customer deletes the material of its keys (crypto-shredding): the row stays,
-- with forgotten_at, so that what was sealed under it reads as redacted rather than unknown. The
-- only table of the ledger whose rows are changed for a reason other than a rebuild.
CREATE TABLE customer_keys (
    key_id text NOT NULL PRIMARY KEY,
    customer_id text NOT NULL,
    material bytea,
    created_at timestamptz NOT NULL,
    forgotten_at timestamptz
);
CREATE UNIQUE INDEX customer_keys_live ON customer_keys (customer_id) WHERE material IS NOT NULL;
CREATE INDEX customer_keys_customer ON customer_keys (customer_id);
-- The customer directory view (projections/customer_directory.py): each customer's sealed details.
CREATE TABLE customer_directory (
    customer_id text NOT NULL PRIMARY KEY,
    entry_id text NOT NULL UNIQUE,
    name text NOT NULL,
    phone text NOT NULL,
    address text NOT NULL,
    registered_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    forgotten_at timestamptz,
    version integer NOT NULL,
    position bigint NOT NULL
);
CREATE TABLE customer_directory_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
