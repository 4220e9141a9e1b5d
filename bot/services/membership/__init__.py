"""Membership use cases: applying and being nominated, the TSC's decisions, terms and renewals.

`common` holds what they share: the application views, the outbox keys and the Messages protocol
through which blocks give these services their texts.
"""
