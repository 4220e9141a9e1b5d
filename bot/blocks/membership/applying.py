"""Applying: the application form, its field errors and the applicant's receipt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from bot.blocks import ids, kit
from bot.rules import membership as membership_rules
from bot.rules.membership import Problem

APPLY_FORM_FIELDS: dict[str, tuple[str, str, bool]] = {
    # block id: (label, placeholder, multiline); `membership_rules.APPLICATION_REQUIRED_FIELDS` are required.
    "name": ("Name", "Jane Doe", False),
    "title": ("Title", "Developer Advocate", False),
    "company": ("Company", "Acme Inc.", False),
    "country": ("Country", "🇪🇸 or Spain", False),
    "bio": ("Bio (shown on the website)", "A few sentences about you, in the third person", True),
    "github": ("GitHub handle", "janedoe", False),
    "twitter": ("Twitter / X handle", "janedoe", False),
    "linkedin": ("LinkedIn handle or profile link", "jane-doe", False),
    "img": ("Photo URL (default: your GitHub avatar)", "https://github.com/janedoe.png", False),
    "contributions": (
        "Contributions you have made",
        "talk https://youtu.be/abc 2026-03 AsyncAPI at KubeCon",
        True,
    ),
    "motivation": (
        "Why do you want to be an ambassador?",
        "What you would like to do for the community",
        True,
    ),
}
CONTRIBUTION_LINE_HINT = (
    "One per line: TYPE LINK YYYY-MM TITLE. Types: " + ", ".join(membership_rules.CONTRIBUTION_TYPES) + "."
)
FORM_PROBLEM_TEXT: dict[str, str] = {
    "required": "Please fill this in.",
    "too_long": "This is too long (at most {limit} characters).",
    "bad_github": "A GitHub handle has letters, digits and single hyphens, e.g. janedoe.",
    "bad_handle": "Give a handle (letters, digits, _ . -) or a full https:// link.",
    "bad_url": "This must be a full web address starting with http:// or https://.",
    "too_many": f"List at most {membership_rules.APPLICATION_MAX_CONTRIBUTIONS} contributions.",
    "line_shape": "needs TYPE LINK YYYY-MM TITLE",
    "repeated_link": "repeats the link of an earlier line",
    Problem.UNKNOWN_TYPE: "unknown type (use one of " + ", ".join(membership_rules.CONTRIBUTION_TYPES) + ")",
    Problem.BAD_LINK: "the link must start with http:// or https://",
    Problem.LINK_TOO_LONG: f"the link is too long (at most {membership_rules.LINK_MAX_LENGTH} characters)",
    Problem.BAD_DATE: "the date must be a real month, written YYYY-MM",
    Problem.FUTURE_DATE: "the date is in the future",
    Problem.EMPTY_TITLE: "a title is missing",
    Problem.TITLE_TOO_LONG: f"the title is too long (at most {membership_rules.TITLE_MAX_LENGTH} characters)",
}
FIELD_ERROR_MAX = 1000


def _text_input(block_id: str, initial: str | None, required: bool, limit: int) -> kit.Block:
    label, placeholder, multiline = APPLY_FORM_FIELDS[block_id]
    element: kit.Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": limit,
        "placeholder": kit.plain(kit.truncate(placeholder, 150)),
    }
    if initial:
        element["initial_value"] = initial[:limit]
    block: kit.Block = {"type": "input", "block_id": block_id, "label": kit.plain(label), "element": element}
    if not required:
        block["optional"] = True
    if block_id == "contributions":
        block["hint"] = kit.plain(CONTRIBUTION_LINE_HINT)
    return block


def apply_loading_modal() -> dict[str, Any]:
    """Shown at once (the click's trigger expires in 3 s) while the form is prepared."""
    return kit.modal(
        ids.APPLY_MODAL, "Apply as ambassador", [kit.section(":hourglass: One moment…")], submit=None
    )


def apply_modal(
    prefill: Any, required: int, nominated_by: str | None, private_metadata: str = "", history: Any = None
) -> dict[str, Any]:
    """The application form; `prefill` has one attribute per field (an applications.ApplicationForm).

    `history` (a returning ambassador's) changes the welcome: the form is filled in from their record.
    """
    intro = (
        f"Ambassadors make at least *{required} contributions a year* (articles, talks, videos, podcasts, "
        f"workshops, initiatives…). Tell the TSC about yourself and what you have done; {required} in the "
        "last twelve months meets the requirement. Your profile is what the website will show."
    )
    if history is not None:
        intro = (
            ":wave: *Welcome back!* This form is filled in from your record: check it, add what you have done "
            f"lately ({required} contributions in the last twelve months meet the requirement) and say why "
            "you want to return. The TSC sees that you are a returning ambassador, with your earlier terms."
        )
    if nominated_by:
        intro = f"{kit.mention(nominated_by)} nominated you. " + intro
    fields: list[kit.Block] = [kit.section(intro)]
    for block_id in APPLY_FORM_FIELDS:
        fields.append(
            _text_input(
                block_id,
                getattr(prefill, block_id, None),
                block_id in membership_rules.APPLICATION_REQUIRED_FIELDS,
                membership_rules.PROFILE_LIMITS[block_id],
            )
        )
    fields.append(
        kit.context("Your Slack account is taken from Slack itself, so nobody can apply in your name.")
    )
    return kit.modal(
        ids.APPLY_MODAL,
        "Apply as ambassador",
        fields,
        submit="Send to the TSC",
        private_metadata=private_metadata,
    )


def apply_blocked_text(
    blocker: str, submitted_at: datetime | None = None, term_end: date | None = None
) -> str:
    """Why someone cannot apply now, and where things stand."""
    if blocker == "ambassador":
        ends = f" Your term ends on {term_end.isoformat()}." if term_end else ""
        return (
            f"You are already an ambassador, so there is nothing to apply for.{ends} "
            f"`{ids.COMMAND} status` shows your progress; `{ids.COMMAND} renew` is open in the last 30 days."
        )
    return (
        f":hourglass_flowing_sand: Your application, sent {kit.slack_date(submitted_at)}, is with the TSC. "
        "You will get a message from me when they decide; there is no need to apply again."
    )


def apply_blocked_modal(text: str) -> dict[str, Any]:
    return kit.modal(ids.APPLY_MODAL, "Apply as ambassador", [kit.section(text)], submit=None, close="Close")


def application_field_errors(issues: Mapping[str, Sequence[Any]]) -> dict[str, str]:
    """Slack's `response_action: errors`: one message per field; contribution lines by number."""
    errors: dict[str, str] = {}
    for field_name, found in issues.items():
        limit = membership_rules.PROFILE_LIMITS.get(field_name, 0)
        parts = []
        for issue in found:
            text = FORM_PROBLEM_TEXT[issue.code].format(limit=limit)
            parts.append(f"Line {issue.line}: {text}" if issue.line is not None else text)
        joined = "; ".join(parts)
        if any(issue.line is not None for issue in found):
            joined += "."
        errors[field_name] = kit.truncate(joined, FIELD_ERROR_MAX)
    return errors


def github_taken_error(handle: str) -> str:
    return (
        f"The GitHub handle {handle} is on another member's record. If it is yours, ask a TSC member to "
        f"link it to you (`{ids.COMMAND} admin link`)."
    )


def application_receipt(view: Any, review_posted: bool) -> dict[str, Any]:
    if review_posted:
        tsc = "The TSC has been notified and will review it."
    else:
        tsc = "The TSC will be notified as soon as their review channel is ready; nothing is lost."
    text = (
        f":inbox_tray: Thanks, {kit.escape(view.name)}! Your application to the ambassador program is in. {tsc}\n"
        f"You listed {view.recent_contributions} contribution{'s' if view.recent_contributions != 1 else ''} "
        f"in the last 12 months; the program asks for {view.required} a year. "
        "I will message you here when the TSC decides."
    )
    return kit.message(text, [kit.section(text)])


def apply_received_modal(view: Any, review_posted: bool) -> dict[str, Any]:
    return apply_blocked_modal(application_receipt(view, review_posted)["text"])


def review_not_posted_log_hint(channel: str, error: str | None) -> str:
    """For the log: what the admin has to do when the review post cannot go out."""
    if not channel:
        return "REVIEW_CHANNEL is not set: set it to the TSC's channel ID (like C012AB3CD)"
    if error in ("not_in_channel", "channel_not_found"):
        return (
            f"the bot cannot post in REVIEW_CHANNEL {channel} ({error}): invite the bot to that channel "
            "(/invite @bot) or fix REVIEW_CHANNEL"
        )
    return (
        f"posting to REVIEW_CHANNEL {channel} failed for now ({error or 'unknown error'}); it will be retried"
    )
