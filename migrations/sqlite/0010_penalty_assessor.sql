-- How far the penalty assessor has read the log: it assesses penalties from the causes it reads.
CREATE TABLE penalty_assessor_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
