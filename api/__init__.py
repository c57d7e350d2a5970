"""The HTTP edge of the ledger: Litestar app, schemas, auth, errors, logging and CLI."""
