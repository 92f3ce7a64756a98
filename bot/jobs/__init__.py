"""Background jobs: one APScheduler job that runs the check-in tick every minute."""
