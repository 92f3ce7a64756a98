"""``onramp demo``: the whole story, offline, through the real app (see docs/demo.md).

- :mod:`bot.demo.world` — the stack (Bolt app over loopback HTTP, the Slack sandbox, a temporary
  SQLite database, a manual clock) and the actions people take in it;
- :mod:`bot.demo.story` — the scripted 90 days; :mod:`bot.demo.repl` — the interactive mode;
- :mod:`bot.demo.transcript` and :mod:`bot.demo.render` — Block Kit and events as text;
- :mod:`bot.demo.messages` — every sentence the demo itself says.
"""
