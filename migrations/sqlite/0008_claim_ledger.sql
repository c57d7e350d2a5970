-- The claim ledger: each claim's current row (claim_rows), every row it has had, valid from
-- its recorded time until the next one's (claim_versions), and the current rows' money summed
-- by period, vendor, kind and currency (claim_totals) and outstanding by day of approval
-- (claim_outstanding). Amounts are whole hundredths. All derived: the log rebuilds them.
-- Instants are UTC ISO 8601 text, days ISO dates.
CREATE TABLE claim_rows (
    claim_id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    period TEXT NOT NULL,
    drafted_at TEXT NOT NULL,
    submitted_at TEXT,
    days_late INTEGER NOT NULL,
    approved_at TEXT,
    claimed INTEGER NOT NULL,
    approved INTEGER NOT NULL,
    credited INTEGER NOT NULL,
    paid INTEGER NOT NULL,
    outstanding INTEGER NOT NULL,
    credit_notes INTEGER NOT NULL,
    credit_variance INTEGER,
    chain_id TEXT NOT NULL,
    resubmission_of TEXT,
    resubmitted_as TEXT,
    rejection TEXT,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    approved_on TEXT
);
CREATE INDEX claim_rows_by_vendor ON claim_rows (vendor_id, claim_id);
CREATE INDEX claim_rows_by_period ON claim_rows (period, claim_id);
CREATE INDEX claim_rows_by_status ON claim_rows (status, claim_id);
CREATE INDEX claim_rows_awaiting_credit ON claim_rows (vendor_id, claim_id)
    WHERE status = 'approved' AND credit_notes = 0;
CREATE INDEX claim_rows_by_recorded ON claim_rows (recorded_at);
CREATE TABLE claim_versions (
    claim_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    period TEXT NOT NULL,
    drafted_at TEXT NOT NULL,
    submitted_at TEXT,
    days_late INTEGER NOT NULL,
    approved_at TEXT,
    claimed INTEGER NOT NULL,
    approved INTEGER NOT NULL,
    credited INTEGER NOT NULL,
    paid INTEGER NOT NULL,
    outstanding INTEGER NOT NULL,
    credit_notes INTEGER NOT NULL,
    credit_variance INTEGER,
    chain_id TEXT NOT NULL,
    resubmission_of TEXT,
    resubmitted_as TEXT,
    rejection TEXT,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    approved_on TEXT,
    superseded_at TEXT,
    PRIMARY KEY (claim_id, position)
);
CREATE INDEX claim_versions_by_vendor ON claim_versions (vendor_id, claim_id);
CREATE INDEX claim_versions_by_period ON claim_versions (period, claim_id);
CREATE INDEX claim_versions_rejected ON claim_versions (claim_id) WHERE status = 'rejected';
CREATE INDEX claim_versions_in_flight ON claim_versions (superseded_at, recorded_at)
    WHERE superseded_at IS NOT NULL;
CREATE TABLE claim_totals (
    period TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    claims INTEGER NOT NULL,
    claimed INTEGER NOT NULL,
    approved INTEGER NOT NULL,
    credited INTEGER NOT NULL,
    paid INTEGER NOT NULL,
    outstanding INTEGER NOT NULL,
    PRIMARY KEY (period, vendor_id, kind, currency)
);
CREATE TABLE claim_outstanding (
    vendor_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    approved_on TEXT NOT NULL,
    claims INTEGER NOT NULL,
    outstanding INTEGER NOT NULL,
    PRIMARY KEY (vendor_id, currency, kind, period, approved_on)
);
CREATE TABLE claim_ledger_tracking (
    application_name TEXT NOT NULL PRIMARY KEY,
    notification_id INTEGER NOT NULL
);
