"""Use cases: they own the transaction and reach the outside only through small Protocols."""
