-- SLA clocks: one row per ticket and target, replaced whenever the ticket changes.
CREATE TABLE sla_clocks (
    ticket_id text NOT NULL,
    target text NOT NULL,
    contract_version integer NOT NULL,
    severity text NOT NULL,
    customer_id text NOT NULL,
    started_at timestamptz,
    due_at timestamptz,
    stopped_at timestamptz,
    verdict text,
    minutes_late integer NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (ticket_id, target)
);
CREATE INDEX sla_clocks_running_by_due ON sla_clocks (due_at) WHERE stopped_at IS NULL;
CREATE TABLE sla_clocks_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
