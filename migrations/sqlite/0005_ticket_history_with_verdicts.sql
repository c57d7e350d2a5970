-- A ticket's history also holds the SLA verdicts on it, which are events of another entity:
-- rows are keyed by log position. The history is derived, so it is rebuilt from the log.
DROP TABLE ticket_history;
CREATE TABLE ticket_history (
    ticket_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (ticket_id, position)
);
CREATE UNIQUE INDEX ticket_history_by_position ON ticket_history (position);
DELETE FROM ticket_history_tracking;
