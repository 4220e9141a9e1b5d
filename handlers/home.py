"""Placeholder: filled in by its feature."""

from __future__ import annotations

from slack_bolt import App

from bot.app import Deps
from handlers.router import CommandRouter


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    pass
