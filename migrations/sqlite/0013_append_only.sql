-- The log is append-only. Its events (stored_events) and the library's snapshots of them
-- (stored_snapshots: the state a load starts from, so as trusted as the events) are only ever
-- inserted. Triggers refuse UPDATE and DELETE on both (SQLite has no TRUNCATE: a DELETE without
-- WHERE fires them too); an owner repairing the store drops them first, and `ledger migrate` does
-- not put them back. SQLite has no roles: whoever may write the file may do anything to it.
CREATE TRIGGER stored_events_no_update BEFORE UPDATE ON stored_events
BEGIN
    SELECT RAISE(ABORT, 'UPDATE on stored_events refused: the ledger is append-only');
END;
CREATE TRIGGER stored_events_no_delete BEFORE DELETE ON stored_events
BEGIN
    SELECT RAISE(ABORT, 'DELETE on stored_events refused: the ledger is append-only');
END;
CREATE TRIGGER stored_snapshots_no_update BEFORE UPDATE ON stored_snapshots
BEGIN
    SELECT RAISE(ABORT, 'UPDATE on stored_snapshots refused: the ledger is append-only');
END;
CREATE TRIGGER stored_snapshots_no_delete BEFORE DELETE ON stored_snapshots
BEGIN
    SELECT RAISE(ABORT, 'DELETE on stored_snapshots refused: the ledger is append-only');
END;
