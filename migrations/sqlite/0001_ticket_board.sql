-- The ticket board: one row per ticket, its current state. Instants are UTC ISO 8601 text.
CREATE TABLE ticket_board (
    ticket_id TEXT NOT NULL PRIMARY KEY,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    region_tier TEXT NOT NULL,
    asset_id TEXT,
    severity TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    opened_recorded_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    engineer_id TEXT,
    escalation_level INTEGER NOT NULL,
    reopen_count INTEGER NOT NULL,
    correction_count INTEGER NOT NULL,
    fixed_first_time INTEGER,
    satisfaction INTEGER,
    paused_from TEXT,
    responded_at TEXT,
    dispatched_at TEXT,
    arrived_at TEXT,
    restored_at TEXT,
    resolved_at TEXT,
    closed_at TEXT,
    milestone_versions TEXT NOT NULL
);
CREATE INDEX ticket_board_by_status ON ticket_board (status, reported_at);
CREATE INDEX ticket_board_by_customer ON ticket_board (customer_id, reported_at);
CREATE INDEX ticket_board_by_site ON ticket_board (site_id, reported_at);
CREATE INDEX ticket_board_by_engineer ON ticket_board (engineer_id, reported_at);
CREATE INDEX ticket_board_by_severity ON ticket_board (severity, reported_at);
CREATE INDEX ticket_board_by_reported ON ticket_board (reported_at);
CREATE INDEX ticket_board_by_updated ON ticket_board (updated_at);
CREATE TABLE ticket_board_tracking (
    application_name TEXT NOT NULL PRIMARY KEY,
    notification_id INTEGER NOT NULL
);
