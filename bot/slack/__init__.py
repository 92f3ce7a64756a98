"""The Slack adapter: the Bolt app, its listeners and middleware, Block Kit rendering, manifest.

Built by :func:`bot.app.build_slack`; nothing here is created at import time.
"""
