"""The ledger's pure model: aggregates, events, value objects, rules and the application."""
