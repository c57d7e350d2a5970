-- The hash chain over the log (domain/audit_chain.py): each event's link, by log position, written
-- by the chain sealer in the same transaction as its tracking; and the signed checkpoints of the
-- chain head, each an Ed25519 signature over the position and link it names.
CREATE TABLE event_chain (
    position bigint NOT NULL PRIMARY KEY,
    link bytea NOT NULL
);
CREATE TABLE event_chain_tracking (
    application_name text NOT NULL PRIMARY KEY,
    notification_id bigint NOT NULL
);
CREATE TABLE chain_checkpoints (
    position bigint NOT NULL PRIMARY KEY,
    link bytea NOT NULL,
    signed_at timestamptz NOT NULL,
    public_key text NOT NULL,
    signature bytea NOT NULL
);
