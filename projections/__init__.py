"""The read side: views kept current from the ledger's log, and the runners that feed them."""
