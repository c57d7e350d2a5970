-- Parts and assets, two views. `stock`: each part at each location (stock_levels), every row it
-- has had, valid from its recorded time until the next one's (stock_level_versions), every
-- movement by log position (stock_movements), and the current rows added up by part and by
-- location, below safety stock or not (stock_part_totals, stock_location_totals). `assets`: each
-- asset (asset_rows) and its versions (asset_versions), each old-part lot with when each of its
-- steps was recorded (old_part_lots), and what each warranty claim lists (old_part_listed).
-- Amounts are whole hundredths. All derived: the log rebuilds them.
-- Keys sort bytewise (COLLATE "C"), as the in-memory views sort them.
CREATE TABLE stock_levels (
    part_number text COLLATE "C" NOT NULL,
    location_id text COLLATE "C" NOT NULL,
    on_hand bigint NOT NULL,
    reserved bigint NOT NULL,
    in_transit bigint NOT NULL,
    in_transit_value bigint NOT NULL,
    value bigint NOT NULL,
    unit_cost bigint NOT NULL,
    safety_stock integer NOT NULL,
    below_safety boolean NOT NULL,
    open_requests integer NOT NULL,
    flagged boolean NOT NULL,
    version integer NOT NULL,
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (part_number, location_id)
);
CREATE INDEX stock_levels_by_location ON stock_levels (location_id, part_number);
CREATE INDEX stock_levels_below ON stock_levels (part_number, location_id) WHERE below_safety;
CREATE INDEX stock_levels_below_by_location ON stock_levels (location_id, part_number) WHERE below_safety;
-- The items changed since a time T, with what they add to the totals: totals as of T read them.
CREATE INDEX stock_levels_by_recorded ON stock_levels (recorded_at) INCLUDE (
    part_number, location_id, below_safety, on_hand, reserved, in_transit, in_transit_value, value
);
CREATE TABLE stock_level_versions (
    part_number text COLLATE "C" NOT NULL,
    location_id text COLLATE "C" NOT NULL,
    on_hand bigint NOT NULL,
    reserved bigint NOT NULL,
    in_transit bigint NOT NULL,
    in_transit_value bigint NOT NULL,
    value bigint NOT NULL,
    unit_cost bigint NOT NULL,
    safety_stock integer NOT NULL,
    below_safety boolean NOT NULL,
    open_requests integer NOT NULL,
    flagged boolean NOT NULL,
    version integer NOT NULL,
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL,
    superseded_at timestamptz,
    PRIMARY KEY (part_number, location_id, position)
);
CREATE INDEX stock_level_versions_by_location ON stock_level_versions (location_id, part_number, position);
CREATE INDEX stock_level_versions_below ON stock_level_versions (part_number, location_id, position)
    WHERE below_safety;
CREATE INDEX stock_level_versions_below_by_location ON stock_level_versions
    (location_id, part_number, position) WHERE below_safety;
-- The versions valid at a time T that are no longer current (superseded after T, recorded by T),
-- carrying what totals add up, so that a total as of T reads these indexes alone.
CREATE INDEX stock_level_versions_in_flight ON stock_level_versions (superseded_at)
    INCLUDE (recorded_at, below_safety, on_hand, reserved, in_transit, in_transit_value, value)
    WHERE superseded_at IS NOT NULL;
CREATE INDEX stock_level_versions_in_flight_by_location ON stock_level_versions (location_id, superseded_at)
    INCLUDE (recorded_at, below_safety, on_hand, reserved, in_transit, in_transit_value, value)
    WHERE superseded_at IS NOT NULL;
CREATE TABLE stock_movements (
    position bigint NOT NULL PRIMARY KEY,
    part_number text COLLATE "C" NOT NULL,
    location_id text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    quantity bigint NOT NULL,
    value bigint NOT NULL,
    on_hand_after bigint NOT NULL,
    unit_cost_after bigint NOT NULL,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL,
    actor_id text NOT NULL,
    actor_role text NOT NULL,
    countersigner_id text,
    approver_id text,
    approver_role text,
    ticket_id text,
    transfer_id text,
    other_location_id text,
    supplier text,
    document text,
    reason text,
    chargeable boolean
);
CREATE INDEX stock_movements_by_part ON stock_movements (part_number, position);
CREATE INDEX stock_movements_by_part_location ON stock_movements (part_number, location_id, position);
CREATE TABLE stock_part_totals (
    part_number text COLLATE "C" NOT NULL,
    below_safety boolean NOT NULL,
    items bigint NOT NULL,
    on_hand bigint NOT NULL,
    reserved bigint NOT NULL,
    in_transit bigint NOT NULL,
    in_transit_value bigint NOT NULL,
    value bigint NOT NULL,
    PRIMARY KEY (part_number, below_safety)
);
CREATE TABLE stock_location_totals (
    location_id text COLLATE "C" NOT NULL,
    below_safety boolean NOT NULL,
    items bigint NOT NULL,
    on_hand bigint NOT NULL,
    reserved bigint NOT NULL,
    in_transit bigint NOT NULL,
    in_transit_value bigint NOT NULL,
    value bigint NOT NULL,
    PRIMARY KEY (location_id, below_safety)
);
CREATE TABLE stock_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
CREATE TABLE asset_rows (
    serial text COLLATE "C" NOT NULL PRIMARY KEY,
    model text NOT NULL,
    owner_id text COLLATE "C" NOT NULL,
    site_id text NOT NULL,
    dealer_id text COLLATE "C" NOT NULL,
    pool boolean NOT NULL,
    handed_over_on date,
    accepted_on date,
    warranty_start date,
    warranty_end date,
    contract_id text,
    contract_version integer,
    repairs integer NOT NULL,
    loans integer NOT NULL,
    loan_id text,
    loan_ticket_id text,
    loan_customer_id text,
    loan_site_id text,
    lent_at timestamptz,
    due_by timestamptz,
    lent_late boolean NOT NULL,
    return_due_on date,
    recalled_at timestamptz,
    version integer NOT NULL,
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX asset_rows_by_owner ON asset_rows (owner_id, serial);
CREATE INDEX asset_rows_by_dealer ON asset_rows (dealer_id, serial);
CREATE INDEX asset_rows_in_pool ON asset_rows (serial) WHERE pool;
CREATE INDEX asset_rows_on_loan ON asset_rows (serial) WHERE loan_id IS NOT NULL;
CREATE TABLE asset_versions (
    serial text COLLATE "C" NOT NULL,
    model text NOT NULL,
    owner_id text COLLATE "C" NOT NULL,
    site_id text NOT NULL,
    dealer_id text COLLATE "C" NOT NULL,
    pool boolean NOT NULL,
    handed_over_on date,
    accepted_on date,
    warranty_start date,
    warranty_end date,
    contract_id text,
    contract_version integer,
    repairs integer NOT NULL,
    loans integer NOT NULL,
    loan_id text,
    loan_ticket_id text,
    loan_customer_id text,
    loan_site_id text,
    lent_at timestamptz,
    due_by timestamptz,
    lent_late boolean NOT NULL,
    return_due_on date,
    recalled_at timestamptz,
    version integer NOT NULL,
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL,
    superseded_at timestamptz,
    PRIMARY KEY (serial, position)
);
CREATE INDEX asset_versions_by_owner ON asset_versions (owner_id, serial, position);
CREATE INDEX asset_versions_by_dealer ON asset_versions (dealer_id, serial, position);
CREATE INDEX asset_versions_on_loan ON asset_versions (serial, position) WHERE loan_id IS NOT NULL;
CREATE TABLE old_part_lots (
    claim_id text COLLATE "C" NOT NULL,
    lot text COLLATE "C" NOT NULL,
    vendor_id text COLLATE "C" NOT NULL,
    part_number text COLLATE "C" NOT NULL,
    serial text NOT NULL,
    quantity integer NOT NULL,
    engineer_id text NOT NULL,
    collected_on date NOT NULL,
    due_from date NOT NULL,
    due_by date NOT NULL,
    status text NOT NULL,
    returned_on date,
    late boolean NOT NULL,
    collected_recorded_at timestamptz NOT NULL,
    returned_recorded_at timestamptz,
    disposed_recorded_at timestamptz,
    position bigint NOT NULL,
    PRIMARY KEY (claim_id, lot)
);
CREATE INDEX old_part_lots_by_part ON old_part_lots (claim_id, part_number);
CREATE INDEX old_part_lots_by_vendor ON old_part_lots (vendor_id, due_by);
CREATE INDEX old_part_lots_pending ON old_part_lots (due_by, claim_id, lot) WHERE returned_recorded_at IS NULL;
CREATE TABLE old_part_listed (
    claim_id text COLLATE "C" NOT NULL,
    part_number text COLLATE "C" NOT NULL,
    vendor_id text COLLATE "C" NOT NULL,
    listed integer NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (claim_id, part_number)
);
CREATE INDEX old_part_listed_by_vendor ON old_part_listed (vendor_id, claim_id, part_number);
CREATE TABLE assets_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
