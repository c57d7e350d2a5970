-- A ticket's history also holds the SLA verdicts on it, which are events of another entity:
-- rows are keyed by log position. The history is derived, so it is rebuilt from the log.
DROP TABLE ticket_history;
CREATE TABLE ticket_history (
    ticket_id text NOT NULL,
    version integer NOT NULL,
    position bigint NOT NULL,
    event_type text NOT NULL,
    recorded_at timestamptz NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_id text NOT NULL,
    actor_role text NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (ticket_id, position)
);
CREATE UNIQUE INDEX ticket_history_by_position ON ticket_history (position);
DELETE FROM ticket_history_tracking;
