-- Parts and assets, two views. `stock`: each part at each location (stock_levels), every row it
-- has had, valid from its recorded time until the next one's (stock_level_versions), every
-- movement by log position (stock_movements), and the current rows added up by part and by
-- location, below safety stock or not (stock_part_totals, stock_location_totals). `assets`: each
-- asset (asset_rows) and its versions (asset_versions), each old-part lot with when each of its
-- steps was recorded (old_part_lots), and what each warranty claim lists (old_part_listed).
-- Amounts are whole hundredths. All derived: the log rebuilds them.
-- Instants are UTC ISO 8601 text, days ISO dates, flags 0 or 1.
CREATE TABLE stock_levels (
    part_number TEXT NOT NULL,
    location_id TEXT NOT NULL,
    on_hand INTEGER NOT NULL,
    reserved INTEGER NOT NULL,
    in_transit INTEGER NOT NULL,
    in_transit_value INTEGER NOT NULL,
    value INTEGER NOT NULL,
    unit_cost INTEGER NOT NULL,
    safety_stock INTEGER NOT NULL,
    below_safety INTEGER NOT NULL,
    open_requests INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (part_number, location_id)
);
CREATE INDEX stock_levels_by_location ON stock_levels (location_id, part_number);
CREATE INDEX stock_levels_below ON stock_levels (part_number, location_id) WHERE below_safety;
CREATE INDEX stock_levels_below_by_location ON stock_levels (location_id, part_number) WHERE below_safety;
-- The items changed since a time T, with what they add to the totals: totals as of T read them.
CREATE INDEX stock_levels_by_recorded ON stock_levels (recorded_at);
CREATE TABLE stock_level_versions (
    part_number TEXT NOT NULL,
    location_id TEXT NOT NULL,
    on_hand INTEGER NOT NULL,
    reserved INTEGER NOT NULL,
    in_transit INTEGER NOT NULL,
    in_transit_value INTEGER NOT NULL,
    value INTEGER NOT NULL,
    unit_cost INTEGER NOT NULL,
    safety_stock INTEGER NOT NULL,
    below_safety INTEGER NOT NULL,
    open_requests INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    superseded_at TEXT,
    PRIMARY KEY (part_number, location_id, position)
);
CREATE INDEX stock_level_versions_by_location ON stock_level_versions (location_id, part_number, position);
CREATE INDEX stock_level_versions_below ON stock_level_versions (part_number, location_id, position)
    WHERE below_safety;
CREATE INDEX stock_level_versions_below_by_location ON stock_level_versions
    (location_id, part_number, position) WHERE below_safety;
-- The versions valid at a time T that are no longer current.
CREATE INDEX stock_level_versions_in_flight ON stock_level_versions (superseded_at, recorded_at)
    WHERE superseded_at IS NOT NULL;
CREATE TABLE stock_movements (
    position INTEGER NOT NULL PRIMARY KEY,
    part_number TEXT NOT NULL,
    location_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    value INTEGER NOT NULL,
    on_hand_after INTEGER NOT NULL,
    unit_cost_after INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    countersigner_id TEXT,
    approver_id TEXT,
    approver_role TEXT,
    ticket_id TEXT,
    transfer_id TEXT,
    other_location_id TEXT,
    supplier TEXT,
    document TEXT,
    reason TEXT,
    chargeable INTEGER
);
CREATE INDEX stock_movements_by_part ON stock_movements (part_number, position);
CREATE INDEX stock_movements_by_part_location ON stock_movements (part_number, location_id, position);
CREATE TABLE stock_part_totals (
    part_number TEXT NOT NULL,
    below_safety INTEGER NOT NULL,
    items INTEGER NOT NULL,
    on_hand INTEGER NOT NULL,
    reserved INTEGER NOT NULL,
    in_transit INTEGER NOT NULL,
    in_transit_value INTEGER NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (part_number, below_safety)
);
CREATE TABLE stock_location_totals (
    location_id TEXT NOT NULL,
    below_safety INTEGER NOT NULL,
    items INTEGER NOT NULL,
    on_hand INTEGER NOT NULL,
    reserved INTEGER NOT NULL,
    in_transit INTEGER NOT NULL,
    in_transit_value INTEGER NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (location_id, below_safety)
);
CREATE TABLE stock_tracking (
    application_name TEXT NOT NULL PRIMARY KEY,
    notification_id INTEGER NOT NULL
);
CREATE TABLE asset_rows (
    serial TEXT NOT NULL PRIMARY KEY,
    model TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    dealer_id TEXT NOT NULL,
    pool INTEGER NOT NULL,
    handed_over_on TEXT,
    accepted_on TEXT,
    warranty_start TEXT,
    warranty_end TEXT,
    contract_id TEXT,
    contract_version INTEGER,
    repairs INTEGER NOT NULL,
    loans INTEGER NOT NULL,
    loan_id TEXT,
    loan_ticket_id TEXT,
    loan_customer_id TEXT,
    loan_site_id TEXT,
    lent_at TEXT,
    due_by TEXT,
    lent_late INTEGER NOT NULL,
    return_due_on TEXT,
    recalled_at TEXT,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX asset_rows_by_owner ON asset_rows (owner_id, serial);
CREATE INDEX asset_rows_by_dealer ON asset_rows (dealer_id, serial);
CREATE INDEX asset_rows_in_pool ON asset_rows (serial) WHERE pool;
CREATE INDEX asset_rows_on_loan ON asset_rows (serial) WHERE loan_id IS NOT NULL;
CREATE TABLE asset_versions (
    serial TEXT NOT NULL,
    model TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    dealer_id TEXT NOT NULL,
    pool INTEGER NOT NULL,
    handed_over_on TEXT,
    accepted_on TEXT,
    warranty_start TEXT,
    warranty_end TEXT,
    contract_id TEXT,
    contract_version INTEGER,
    repairs INTEGER NOT NULL,
    loans INTEGER NOT NULL,
    loan_id TEXT,
    loan_ticket_id TEXT,
    loan_customer_id TEXT,
    loan_site_id TEXT,
    lent_at TEXT,
    due_by TEXT,
    lent_late INTEGER NOT NULL,
    return_due_on TEXT,
    recalled_at TEXT,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    superseded_at TEXT,
    PRIMARY KEY (serial, position)
);
CREATE INDEX asset_versions_by_owner ON asset_versions (owner_id, serial, position);
CREATE INDEX asset_versions_by_dealer ON asset_versions (dealer_id, serial, position);
CREATE INDEX asset_versions_on_loan ON asset_versions (serial, position) WHERE loan_id IS NOT NULL;
CREATE TABLE old_part_lots (
    claim_id TEXT NOT NULL,
    lot TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    part_number TEXT NOT NULL,
    serial TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    engineer_id TEXT NOT NULL,
    collected_on TEXT NOT NULL,
    due_from TEXT NOT NULL,
    due_by TEXT NOT NULL,
    status TEXT NOT NULL,
    returned_on TEXT,
    late INTEGER NOT NULL,
    collected_recorded_at TEXT NOT NULL,
    returned_recorded_at TEXT,
    disposed_recorded_at TEXT,
    position INTEGER NOT NULL,
    PRIMARY KEY (claim_id, lot)
);
CREATE INDEX old_part_lots_by_part ON old_part_lots (claim_id, part_number);
CREATE INDEX old_part_lots_by_vendor ON old_part_lots (vendor_id, due_by);
CREATE INDEX old_part_lots_pending ON old_part_lots (due_by, claim_id, lot) WHERE returned_recorded_at IS NULL;
CREATE TABLE old_part_listed (
    claim_id TEXT NOT NULL,
    part_number TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    listed INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (claim_id, part_number)
);
CREATE INDEX old_part_listed_by_vendor ON old_part_listed (vendor_id, claim_id, part_number);
CREATE TABLE assets_tracking (
    application_name TEXT NOT NULL PRIMARY KEY,
    notification_id INTEGER NOT NULL
);
