"""What every feature shares: the apology, the help, who may log, the program's benefits."""

from __future__ import annotations

from typing import Any

from bot.blocks import ids, kit
from bot.rules import membership as membership_rules

# What a member sees when the request itself could not be handled (see handlers/errors.py).
INCOMPLETE_REQUEST = (
    ":warning: Slack sent this request without something it needs, so nothing was changed. "
    "Please try again; if it keeps happening, tell the program's organisers."
)
CONTROL_CHARACTERS_IN_COMMAND = (
    ":x: Your command contains invisible control characters (often from a paste), so nothing was "
    "changed. Please type it again."
)
DATABASE_BUSY = (
    ":hourglass: The bot's database is not answering right now, so nothing was changed. "
    "Please try again in a minute."
)
SLACK_SLOW = (
    ":hourglass: Slack is answering slowly right now, so nothing was changed. Please try again in a minute."
)
APOLOGY = (
    ":warning: Sorry, something went wrong on our side and nothing was changed. "
    "Please try again in a minute; if it keeps happening, tell the program's organisers."
)
UNKNOWN_SUBCOMMAND = "I don't know the subcommand `{name}`."

# (usage, what it does) for `/ambassador help`; every subcommand adds its line here (one list, so
# the help reads the same whichever feature modules are imported).
SUBCOMMAND_HELP: list[tuple[str, str]] = [
    ("help", "show this help"),
    ("log", "open a form to record a contribution"),
    ("log TYPE LINK [YYYY-MM-DD] TITLE", "record one in a single line"),
    ("status", "your term, contributions counted and pace (alias: `progress`)"),
    ("list", "current ambassadors and their contributions this term"),
    ("apply", "apply to become an ambassador (a form the TSC reviews)"),
    ("nominate @someone", "propose someone for the program; I ask them to apply"),
    ("renew", "stay on for another year (last 30 days of your term, requirement met)"),
    ("admin", "TSC only: pending applications, add, link, extend, emeritus, reinstate, term, pause, resume"),
    (
        "report [YEAR | YEAR-Qn]",
        "TSC only: the program report (the year so far without a period), with its chart",
    ),
    ("snooze 30d | 2w | off", "mute or unmute progress reminders only"),
    ("pause until YYYY-MM-DD [reason]", "pause your membership: reminders and inactivity notices stop"),
    ("resume", "end your pause early"),
    ("step-down [reason]", "leave the program with thanks (you become an emeritus ambassador)"),
    ("rejoin", "come back: the application form, filled in from your record"),
    ("history", "every contribution you have on record, newest first"),
    ("benefits", "what ambassadors get, what you may still request, your requests (alias: `perks`)"),
]


def help_message(required: int, unknown: str | None = None) -> dict[str, Any]:
    intro = (
        "*Ambassador program bot.* Ambassadors are enrolled for a year, renewable, and make at least "
        f"*{required} contributions* a year (articles, talks, videos, podcasts, workshops, initiatives…)."
    )
    lines = "\n".join(f"• `{ids.COMMAND} {usage}` — {what}" for usage, what in SUBCOMMAND_HELP)
    types = ", ".join(f"`{name}`" for name in membership_rules.CONTRIBUTION_TYPES)
    text = intro + "\n\n" + lines + f"\n\nContribution types: {types}."
    if unknown is not None:
        text = UNKNOWN_SUBCOMMAND.format(name=kit.escape(unknown)) + "\n\n" + text
    return kit.message(text, [kit.section(text)])


def not_an_ambassador(required: int) -> str:
    return (
        "You are not a current ambassador, so there is nothing to log or track yet. "
        f"Ambassadors make at least {required} contributions a year for the community. "
        f"To join, apply with `{ids.COMMAND} apply`, or ask a TSC member."
    )


# Program facts for people who are not ambassadors yet (AMBASSADOR_PROGRAM.md, "Ambassador benefits").
PROGRAM_BENEFITS = (
    "An invitation to the project's GitHub organization",
    "A special swag pack for ambassadors, and swag for the people at your talks and workshops",
    "Free entry to the project's conferences",
    "Community-wide recognition, and all our respect for your contributions",
)
