-- The ticket board: one row per ticket, its current state. Instants are timestamptz.
CREATE TABLE ticket_board (
    ticket_id text NOT NULL PRIMARY KEY,
    version integer NOT NULL,
    position bigint NOT NULL,
    status text NOT NULL,
    channel text NOT NULL,
    customer_id text NOT NULL,
    site_id text NOT NULL,
    region_tier text NOT NULL,
    asset_id text,
    severity text NOT NULL,
    category text NOT NULL,
    description text NOT NULL,
    reported_at timestamptz NOT NULL,
    opened_recorded_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    engineer_id text,
    escalation_level integer NOT NULL,
    reopen_count integer NOT NULL,
    correction_count integer NOT NULL,
    fixed_first_time boolean,
    satisfaction smallint,
    paused_from text,
    responded_at timestamptz,
    dispatched_at timestamptz,
    arrived_at timestamptz,
    restored_at timestamptz,
    resolved_at timestamptz,
    closed_at timestamptz,
    milestone_versions text NOT NULL
);
CREATE INDEX ticket_board_by_status ON ticket_board (status, reported_at);
CREATE INDEX ticket_board_by_customer ON ticket_board (customer_id, reported_at);
CREATE INDEX ticket_board_by_site ON ticket_board (site_id, reported_at);
CREATE INDEX ticket_board_by_engineer ON ticket_board (engineer_id, reported_at);
CREATE INDEX ticket_board_by_severity ON ticket_board (severity, reported_at);
CREATE INDEX ticket_board_by_reported ON ticket_board (reported_at);
CREATE INDEX ticket_board_by_updated ON ticket_board (updated_at);
CREATE TABLE ticket_board_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
