-- Ticket history: one row per ticket event, never updated.
CREATE TABLE ticket_history (
    ticket_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (ticket_id, version)
);
CREATE TABLE ticket_history_tracking (
    application_name TEXT NOT NULL PRIMARY KEY,
    notification_id INTEGER NOT NULL
);
