"""Pure rules: plans, blueprints, progress, permissions and schedule date math. No I/O."""
