-- The penalty ledger (view `penalties`): each party's line of each penalty (penalty_lines), and
-- every row it has had, valid from its recorded time until the next one's (penalty_line_versions),
-- with what was assessed, waived, reversed and settled. Amounts (money or points) are whole
-- hundredths. All derived: the log rebuilds them.
-- Instants are UTC ISO 8601 text, flags 0 or 1.
CREATE TABLE penalty_lines (
    key TEXT NOT NULL PRIMARY KEY,
    penalty_id TEXT NOT NULL,
    party TEXT NOT NULL,
    role TEXT NOT NULL,
    rule TEXT NOT NULL,
    schedule TEXT NOT NULL,
    schedule_kind TEXT NOT NULL,
    schedule_version INTEGER NOT NULL,
    trigger TEXT NOT NULL,
    measure TEXT NOT NULL,
    period TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    status TEXT NOT NULL,
    disputed INTEGER NOT NULL,
    assessed INTEGER NOT NULL,
    waived INTEGER NOT NULL,
    reversed INTEGER NOT NULL,
    settled INTEGER NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
-- Totals and drill-down pages of a party (in a period, or across periods), of a rule, and of
-- every party or rule in a period.
CREATE INDEX penalty_lines_by_party ON penalty_lines (party, period, key);
CREATE INDEX penalty_lines_by_rule ON penalty_lines (rule, period, key);
CREATE INDEX penalty_lines_by_period ON penalty_lines (period, party, measure);
CREATE TABLE penalty_line_versions (
    key TEXT NOT NULL,
    penalty_id TEXT NOT NULL,
    party TEXT NOT NULL,
    role TEXT NOT NULL,
    rule TEXT NOT NULL,
    schedule TEXT NOT NULL,
    schedule_kind TEXT NOT NULL,
    schedule_version INTEGER NOT NULL,
    trigger TEXT NOT NULL,
    measure TEXT NOT NULL,
    period TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    status TEXT NOT NULL,
    disputed INTEGER NOT NULL,
    assessed INTEGER NOT NULL,
    waived INTEGER NOT NULL,
    reversed INTEGER NOT NULL,
    settled INTEGER NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    superseded_at TEXT,
    PRIMARY KEY (key, position)
);
CREATE INDEX penalty_line_versions_by_party ON penalty_line_versions (party, period, key, position);
CREATE INDEX penalty_line_versions_by_rule ON penalty_line_versions (rule, period, key, position);
CREATE INDEX penalty_line_versions_by_period ON penalty_line_versions (period, party, measure);
CREATE TABLE penalties_tracking (
    application_name TEXT NOT NULL PRIMARY KEY,
    notification_id INTEGER NOT NULL
);
