"""The outbox: messages queued in the transaction of the change that causes them (`queue`), and
delivered exactly once by a sender (`sender`), paced (`pacing`), with Slack's errors sorted into
retry-later and report-once (`delivery_errors`). See docs/outbox.md."""
