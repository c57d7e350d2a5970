-- How far the SLA monitor has read the log; its verdicts are events in the log itself.
CREATE TABLE sla_monitor_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
-- Clock rows say whether a clock is an escalate-after clock; rows are rebuilt from the log.
ALTER TABLE sla_clocks ADD COLUMN escalates INTEGER NOT NULL DEFAULT 0;
DELETE FROM sla_clocks;
DELETE FROM sla_clocks_tracking;
