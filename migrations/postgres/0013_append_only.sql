-- The log is append-only. Its events (serviceledger_events) and the library's snapshots of them
-- (serviceledger_snapshots: the state a load starts from, so as trusted as the events) are only
-- ever inserted. Triggers refuse UPDATE, DELETE and TRUNCATE on both, whoever runs them: an owner
-- repairing the store disables them first (ALTER TABLE ... DISABLE TRIGGER USER).
CREATE FUNCTION refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the ledger is append-only', TG_OP, TG_TABLE_NAME;
END
$$;
CREATE TRIGGER serviceledger_events_append_only BEFORE UPDATE OR DELETE ON serviceledger_events
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER serviceledger_events_no_truncate BEFORE TRUNCATE ON serviceledger_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER serviceledger_snapshots_append_only BEFORE UPDATE OR DELETE ON serviceledger_snapshots
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER serviceledger_snapshots_no_truncate BEFORE TRUNCATE ON serviceledger_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();
-- The service runs as ledger_runtime (POSTGRES_USER=ledger_runtime, with LEDGER_POSTGRES_OWNER
-- naming the owner `ledger migrate` connects as). Roles belong to the whole cluster: the role may
-- exist already, or be created at this moment by the migration of another database.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger_runtime') THEN
        CREATE ROLE ledger_runtime LOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'ledger migrate may not create the role ledger_runtime'
            USING HINT = 'Create it once as a superuser: CREATE ROLE ledger_runtime LOGIN';
END
$$;
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO ledger_runtime', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO ledger_runtime;
-- The log and its snapshots: read and insert only. Every other table is derived from the log (views,
-- their tracking), and the service writes it, rebuilding a view by truncation; so
-- will it every table created later. The migrations' own record it only reads.
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO ledger_runtime;
REVOKE UPDATE, DELETE, TRUNCATE ON serviceledger_events, serviceledger_snapshots FROM ledger_runtime;
-- The hash chain and its signed checkpoints are facts as well: sealed once, never rewritten.
REVOKE UPDATE, DELETE, TRUNCATE ON event_chain, chain_checkpoints FROM ledger_runtime;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ledger_runtime;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ledger_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO ledger_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO ledger_runtime;
-- Inserting into the log takes an EXCLUSIVE lock on it, so that events commit in the order of their
-- positions; PostgreSQL lets only a role with UPDATE, DELETE or TRUNCATE take that lock. The
-- runtime role takes it through this function, which runs as the owner and does nothing else.
CREATE FUNCTION lock_serviceledger_events() RETURNS void LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'LOCK TABLE public.serviceledger_events IN EXCLUSIVE MODE';
REVOKE ALL ON FUNCTION lock_serviceledger_events() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lock_serviceledger_events() TO ledger_runtime;
