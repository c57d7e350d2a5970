-- The penalty ledger (view `penalties`): each party's line of each penalty (penalty_lines), and
-- every row it has had, valid from its recorded time until the next one's (penalty_line_versions),
-- with what was assessed, waived, reversed and settled. Amounts (money or points) are whole
-- hundredths. All derived: the log rebuilds them.
-- Keys sort bytewise (COLLATE "C"), as the in-memory view sorts them.
CREATE TABLE penalty_lines (
    key text COLLATE "C" NOT NULL PRIMARY KEY,
    penalty_id text NOT NULL,
    party text COLLATE "C" NOT NULL,
    role text NOT NULL,
    rule text COLLATE "C" NOT NULL,
    schedule text COLLATE "C" NOT NULL,
    schedule_kind text NOT NULL,
    schedule_version integer NOT NULL,
    trigger text NOT NULL,
    measure text COLLATE "C" NOT NULL,
    period text COLLATE "C" NOT NULL,
    occurred_at timestamptz NOT NULL,
    status text NOT NULL,
    disputed boolean NOT NULL,
    assessed bigint NOT NULL,
    waived bigint NOT NULL,
    reversed bigint NOT NULL,
    settled bigint NOT NULL,
    version integer NOT NULL,
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL
);
-- Totals of a party (in a period, or across periods), of a rule, and of every party or rule in a
-- period read these alone: they carry what totals filter on and add up. A drill-down page of a
-- party or a rule (in a period) seeks to its key in them; the totals of every party in a period
-- read them in party order, so that the lines are added up as they come, unsorted.
CREATE INDEX penalty_lines_by_party ON penalty_lines (party, period, key)
    INCLUDE (measure, rule, schedule, status, assessed, waived, reversed, settled);
CREATE INDEX penalty_lines_by_rule ON penalty_lines (rule, period, key)
    INCLUDE (measure, party, schedule, status, assessed, waived, reversed, settled);
CREATE INDEX penalty_lines_by_period ON penalty_lines (period, party, measure)
    INCLUDE (rule, schedule, status, assessed, waived, reversed, settled);
CREATE TABLE penalty_line_versions (
    key text COLLATE "C" NOT NULL,
    penalty_id text NOT NULL,
    party text COLLATE "C" NOT NULL,
    role text NOT NULL,
    rule text COLLATE "C" NOT NULL,
    schedule text COLLATE "C" NOT NULL,
    schedule_kind text NOT NULL,
    schedule_version integer NOT NULL,
    trigger text NOT NULL,
    measure text COLLATE "C" NOT NULL,
    period text COLLATE "C" NOT NULL,
    occurred_at timestamptz NOT NULL,
    status text NOT NULL,
    disputed boolean NOT NULL,
    assessed bigint NOT NULL,
    waived bigint NOT NULL,
    reversed bigint NOT NULL,
    settled bigint NOT NULL,
    version integer NOT NULL,
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL,
    superseded_at timestamptz,
    PRIMARY KEY (key, position)
);
-- The same as of a time T, carrying when each version was valid, so that picking the version
-- valid at T reads the index too.
CREATE INDEX penalty_line_versions_by_party ON penalty_line_versions (party, period, key, position)
    INCLUDE (recorded_at, superseded_at, measure, rule, schedule, status, assessed, waived, reversed, settled);
CREATE INDEX penalty_line_versions_by_rule ON penalty_line_versions (rule, period, key, position)
    INCLUDE (recorded_at, superseded_at, measure, party, schedule, status, assessed, waived, reversed, settled);
CREATE INDEX penalty_line_versions_by_period ON penalty_line_versions (period, party, measure)
    INCLUDE (recorded_at, superseded_at, rule, schedule, status, assessed, waived, reversed, settled);
CREATE TABLE penalties_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
