"""Scheduled jobs: APScheduler is only the clock; each job computes what is due from the database."""
