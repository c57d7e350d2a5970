-- The claim ledger: each claim's current row (claim_rows), every row it has had, valid from
-- its recorded time until the next one's (claim_versions), and the current rows' money summed
-- by period, vendor, kind and currency (claim_totals) and outstanding by day of approval
-- (claim_outstanding). Amounts are whole hundredths. All derived: the log rebuilds them.
-- Keys sort bytewise (COLLATE "C"), as the in-memory view sorts them.
CREATE TABLE claim_rows (
    claim_id text COLLATE "C" NOT NULL PRIMARY KEY,
    kind text COLLATE "C" NOT NULL,
    vendor_id text COLLATE "C" NOT NULL,
    customer_id text NOT NULL,
    currency text COLLATE "C" NOT NULL,
    status text NOT NULL,
    period text COLLATE "C" NOT NULL,
    drafted_at timestamptz NOT NULL,
    submitted_at timestamptz,
    days_late integer NOT NULL,
    approved_at timestamptz,
    claimed bigint NOT NULL,
    approved bigint NOT NULL,
    credited bigint NOT NULL,
    paid bigint NOT NULL,
    outstanding bigint NOT NULL,
    credit_notes integer NOT NULL,
    credit_variance bigint,
    chain_id text NOT NULL,
    resubmission_of text,
    resubmitted_as text,
    rejection text,
    version integer NOT NULL,
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL,
    approved_on date
);
CREATE INDEX claim_rows_by_vendor ON claim_rows (vendor_id, claim_id);
CREATE INDEX claim_rows_by_period ON claim_rows (period, claim_id);
CREATE INDEX claim_rows_by_status ON claim_rows (status, claim_id);
CREATE INDEX claim_rows_awaiting_credit ON claim_rows (vendor_id, claim_id)
    WHERE status = 'approved' AND credit_notes = 0;
-- The claims changed since a time T, with what they add to the sums: sums as of T read them.
CREATE INDEX claim_rows_by_recorded ON claim_rows (recorded_at) INCLUDE (
    period, vendor_id, kind, currency, status, approved_on,
    claimed, approved, credited, paid, outstanding
);
CREATE TABLE claim_versions (
    claim_id text COLLATE "C" NOT NULL,
    kind text COLLATE "C" NOT NULL,
    vendor_id text COLLATE "C" NOT NULL,
    customer_id text NOT NULL,
    currency text COLLATE "C" NOT NULL,
    status text NOT NULL,
    period text COLLATE "C" NOT NULL,
    drafted_at timestamptz NOT NULL,
    submitted_at timestamptz,
    days_late integer NOT NULL,
    approved_at timestamptz,
    claimed bigint NOT NULL,
    approved bigint NOT NULL,
    credited bigint NOT NULL,
    paid bigint NOT NULL,
    outstanding bigint NOT NULL,
    credit_notes integer NOT NULL,
    credit_variance bigint,
    chain_id text NOT NULL,
    resubmission_of text,
    resubmitted_as text,
    rejection text,
    version integer NOT NULL,
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL,
    approved_on date,
    superseded_at timestamptz,
    PRIMARY KEY (claim_id, position)
);
CREATE INDEX claim_versions_by_vendor ON claim_versions (vendor_id, claim_id);
CREATE INDEX claim_versions_by_period ON claim_versions (period, claim_id);
CREATE INDEX claim_versions_rejected ON claim_versions (claim_id) WHERE status = 'rejected';
-- The versions valid at a time T that are no longer current, by their validity ranges.
CREATE INDEX claim_versions_in_flight ON claim_versions
    USING gist (tstzrange(recorded_at, superseded_at)) WHERE superseded_at IS NOT NULL;
CREATE TABLE claim_totals (
    period text COLLATE "C" NOT NULL,
    vendor_id text COLLATE "C" NOT NULL,
    kind text COLLATE "C" NOT NULL,
    currency text COLLATE "C" NOT NULL,
    claims bigint NOT NULL,
    claimed bigint NOT NULL,
    approved bigint NOT NULL,
    credited bigint NOT NULL,
    paid bigint NOT NULL,
    outstanding bigint NOT NULL,
    PRIMARY KEY (period, vendor_id, kind, currency)
);
CREATE TABLE claim_outstanding (
    vendor_id text COLLATE "C" NOT NULL,
    currency text COLLATE "C" NOT NULL,
    kind text COLLATE "C" NOT NULL,
    period text COLLATE "C" NOT NULL,
    approved_on date NOT NULL,
    claims bigint NOT NULL,
    outstanding bigint NOT NULL,
    PRIMARY KEY (vendor_id, currency, kind, period, approved_on)
);
CREATE TABLE claim_ledger_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
