"""What a fresh sandbox starts with, so there is something to see at once.

The program's real members file (the AsyncAPI sample the project ships, imported with the same code
as `ambassador-bot import`) and its emeritus list; a few contributions this term; a TSC member who
is not an ambassador; a newcomer who has not applied yet; and the channels the settings name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import yaml

from bot.sandbox.github_standin import GitHubStandin
from bot.sandbox.slack_standin import SlackStandin
from bot.services import members
from bot.services.contributions import ContributionDraft, log_contribution
from bot.services.registry import file_format, importing
from bot.settings import Settings
from bot.store.db import Database

GENERAL_CHANNEL = "C0GENERAL"
REVIEW_CHANNEL = "C0REVIEW"
ANNOUNCE_CHANNEL = "C0ANNOUNCE"
TSC_USER = "U0TSCCHAIR"
NEWCOMER = "U0NEWCOMER"
# Imported ambassadors' terms started this long before the sandbox's first day: some are on pace,
# some behind, so the TSC's Home has something to show.
TERM_STARTED_DAYS_AGO = 120
# Zones whose working hours include 10:00 UTC, the sandbox's default hour for "Go to date…", so
# scheduled DMs (sent in each person's local daytime) arrive when the clock is moved.
ZONES = ("Europe/Madrid", "Europe/Berlin", "Europe/London", "Asia/Kolkata", "Europe/Warsaw", "Africa/Lagos")


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    handle: str
    tz: str
    title: str = ""


EXTRA_PEOPLE = (
    Person(TSC_USER, "Tess Council", "tess", "Europe/Paris", "TSC member"),
    Person(NEWCOMER, "Nora Newcomer", "nora", "Europe/Lisbon", "Developer advocate"),
)

# Contributions made this term by some of the imported ambassadors: (GitHub handle, days ago, type, title).
RECENT = (
    ("danielkocot", 40, "talk", "Event-driven APIs with AsyncAPI at API Days"),
    ("danielkocot", 12, "article", "Documenting Kafka topics with AsyncAPI 3"),
    ("ivangsa", 30, "video", "Code generation from AsyncAPI, a walkthrough"),
    ("ivangsa", 9, "workshop", "Hands-on AsyncAPI for Spring developers"),
    ("ivangsa", 3, "article", "Contract-first messaging with ZenWave"),
    ("M3lkior", 25, "talk", "AsyncAPI at the Lyon JUG"),
    ("harikrishnan83", 60, "presentation", "Specmatic and AsyncAPI: contract tests for events"),
)


def sample(name: str) -> str:
    return resources.files("bot.sandbox").joinpath("data", name).read_text(encoding="utf-8")


def members_file() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(sample("AMBASSADORS_MEMBERS.json"))
    return data


def workspace(standin: SlackStandin, settings: Settings) -> None:
    """The people and channels the settings name."""
    standin.add_channel(GENERAL_CHANNEL, "general")
    standin.add_channel(settings.review_channel or REVIEW_CHANNEL, "ambassador-review")
    standin.add_channel(settings.announce_channel or ANNOUNCE_CHANNEL, "announcements")
    for number, entry in enumerate(members_file()):
        standin.add_user(
            str(entry["slack"]),
            str(entry["name"]),
            ZONES[number % len(ZONES)],
            handle=str(entry["github"]).lower(),
            title=str(entry.get("title") or ""),
            image_original=str(entry.get("img") or ""),
        )
    for person in EXTRA_PEOPLE:
        standin.add_user(person.user_id, person.name, person.tz, handle=person.handle, title=person.title)


def database(db: Database, settings: Settings, now: datetime) -> None:
    """The program's records, written through the services the bot itself uses."""
    today = now.astimezone(settings.zone).date()
    parsed = file_format.parse_members(members_file())
    importing.import_members(
        db,
        parsed,
        term_start=today - timedelta(days=TERM_STARTED_DAYS_AGO),
        now=now,
        actor="sandbox",
        source="AMBASSADORS_MEMBERS.json (sample)",
    )
    emeritus = file_format.parse_emeritus(yaml.safe_load(sample("Emeritus.yaml")))
    importing.import_emeritus(db, emeritus, now=now, actor="sandbox", source="Emeritus.yaml (sample)")
    by_handle = {str(entry["github"]).lower(): str(entry["slack"]) for entry in members_file()}
    for number, entry in enumerate(members_file()):
        members.store_timezone(db, str(entry["slack"]), ZONES[number % len(ZONES)], now)
    for handle, days_ago, kind, title in RECENT:
        slug = title.lower().replace(" ", "-").replace(",", "").replace(":", "")
        draft = ContributionDraft(
            type=kind,
            title=title,
            link=f"https://example.org/{handle.lower()}/{slug}",
            occurred_on=today - timedelta(days=days_ago),
        )
        log_contribution(db, by_handle[handle.lower()], draft, today, now, settings.required_contributions)


def repository(github: GitHubStandin, settings: Settings) -> None:
    """The public list's repository as the website keeps it: the members file and the emeritus file."""
    files = {settings.github_members_path: sample("AMBASSADORS_MEMBERS.yaml")}
    if settings.github_emeritus_path:
        files[settings.github_emeritus_path] = sample("Emeritus.yaml")
    github.commit_on(github.default_branch, files, "The ambassadors' public list")
