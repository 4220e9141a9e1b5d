"""ambassador-bot: a Slack bot that runs a community ambassador program."""

__version__ = "0.1.0"
