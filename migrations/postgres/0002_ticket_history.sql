-- Ticket history: one row per ticket event, never updated.
CREATE TABLE ticket_history (
    ticket_id text NOT NULL,
    version integer NOT NULL,
    position bigint NOT NULL UNIQUE,
    event_type text NOT NULL,
    recorded_at timestamptz NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_id text NOT NULL,
    actor_role text NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (ticket_id, version)
);
CREATE TABLE ticket_history_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
