"""Membership in Slack: `/ambassador apply | nominate | renew | step-down | rejoin`, the application form, the TSC's Approve
and Reject buttons (in the review channel, the App Home or `admin pending`), and the Renew button.

Who acts is always the request's user (`body.user.id`), never a value from a form or a button. The
database is written first and Slack told afterwards: when a Slack call fails, what was decided stays
decided and the messages left in the outbox go out later.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import Deps
from handlers.membership import applications, decisions, leaving, nominations, renewals
from handlers.router import CommandRouter


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    for use_case in (applications, nominations, decisions, renewals, leaving):
        use_case.register(app, deps, router)
