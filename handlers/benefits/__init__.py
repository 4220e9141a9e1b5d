"""Benefits in Slack: `/ambassador benefits` (alias `perks`), the request form, Cancel, the TSC's
Approve / Decline / Mark fulfilled / Shipping details buttons, and `/ambassador admin benefits`.

Who acts is always the request's user (`body.user.id`). Forms open before any database work (a
trigger expires 3 s after the click). The database is written first and Slack told afterwards: when
a Slack call fails, what was decided stays decided and the outbox delivers the messages later.
Shipping details are never logged: log lines name requests by id.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import Deps
from handlers.benefits import decisions, requests
from handlers.router import CommandRouter


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    # `/ambassador admin benefits` (handlers.benefits.catalogue) is one of handlers.admin's subcommands.
    for use_case in (requests, decisions):
        use_case.register(app, deps, router)
