"""Bolt listeners, one module per feature (a package of use cases for membership and benefits).

Listeners are module-level functions that take `deps` as a keyword-only parameter; each module's
`register(app, deps, router)` binds it (`handlers.common.bind`) and attaches them.

`create_app` is the bot as Slack sees it: the Bolt app with every listener attached.
"""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.app import bolt_app
from bot.slack.deps import Deps
from bot.slack.token_check import KnownIdentity
from handlers import (
    admin,
    benefits,
    commands,
    contributions,
    direct_messages,
    errors,
    events,
    home,
    impact,
    membership,
    pauses,
    proposals,
    reminders,
    report,
    review,
)
from handlers.router import CommandRouter


def register_all(app: App, deps: Deps) -> CommandRouter:
    router = CommandRouter()
    errors.register(app, deps)
    events.register(app, deps)
    # Bolt tries listeners in the order they were added, building each one's arguments to match it:
    # the slash command, the busiest request, goes first (subcommands are looked up when it runs).
    router.attach(app, deps)
    for feature in (
        commands,
        contributions,
        impact,
        membership,
        admin,
        reminders,
        pauses,
        proposals,
        review,
        home,
        benefits,
        direct_messages,
        report,
    ):
        feature.register(app, deps, router)
    return router


def create_app(deps: Deps, client: WebClient | None = None, identity: KnownIdentity | None = None) -> App:
    """The Bolt app with every listener registered; `client` defaults to one on `SLACK_API_URL`;
    `identity`: the bot's, as the start-up token check learns it."""
    app = bolt_app(deps, client, identity)
    register_all(app, deps)
    return app
