"""Model adapters: the Anthropic backend and its loopback stand-in for tests and the demo."""
