"""Use cases. They own the transaction and reach the outside only through small Protocols (ports)."""
