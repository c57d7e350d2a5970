-- SLA clocks: one row per ticket and target, replaced whenever the ticket changes.
CREATE TABLE sla_clocks (
    ticket_id TEXT NOT NULL,
    target TEXT NOT NULL,
    contract_version INTEGER NOT NULL,
    severity TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    started_at TEXT,
    due_at TEXT,
    stopped_at TEXT,
    verdict TEXT,
    minutes_late INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, target)
);
CREATE INDEX sla_clocks_running_by_due ON sla_clocks (due_at) WHERE stopped_at IS NULL;
CREATE TABLE sla_clocks_tracking (
    application_name TEXT NOT NULL PRIMARY KEY,
    notification_id INTEGER NOT NULL
);
