"""Emeritus as a status: why someone left (as the Home and `list` show it), the thank-you they get once,
the TSC's note about benefits approved but not shipped, stepping down, and coming back (`rejoin`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from bot.blocks import ids, kit
from bot.blocks import review as review_blocks
from bot.rules.emeritus import EmeritusReason
from bot.rules.membership import Verification
from bot.services.benefits.leaving import BenefitLine
from bot.services.membership.farewell import Leaving

REASON_LABELS: dict[str, str] = {
    EmeritusReason.TERM_ENDED: "term ended",
    EmeritusReason.STEPPED_DOWN: "stepped down",
    EmeritusReason.INACTIVE: "inactive",
    EmeritusReason.JOINED_STAFF: "joined the staff",
    EmeritusReason.OTHER: "other",
}
THANKS = "Thank you for what you gave the community — your contributions stay in the public history."
COMING_BACK = (
    f"Whenever you want to come back, `{ids.COMMAND} rejoin` opens the application form, filled in from "
    "your record, and the TSC sees your history."
)
STEP_DOWN_NOT_AMBASSADOR = "You are not a current ambassador, so there is nothing to step down from."
STEP_DOWN_ALREADY = "You are already an emeritus ambassador. Nothing was changed."


def reason_label(reason: str | None) -> str:
    return REASON_LABELS.get(reason or "", "no reason recorded")


def since_text(since: datetime | None, zone: tzinfo) -> str:
    return since.astimezone(zone).date().isoformat() if since else "an unknown date"


def emeritus_line(since: datetime | None, reason: str | None, note: str | None, zone: tzinfo) -> str:
    """ "Emeritus since 2026-03-01 · stepped down: Moving to another project." (mrkdwn, escaped)."""
    line = f"Emeritus since {since_text(since, zone)} · {reason_label(reason)}"
    if note:
        line += f": {kit.escape(kit.truncate(note, 300))}"
    return line


def _benefit_names(lines: Sequence[BenefitLine]) -> str:
    return ", ".join(
        kit.escape(line.benefit_name) + (f" ({kit.escape(line.event_name)})" if line.event_name else "")
        for line in lines
    )


def _why(leaving: Leaving) -> str:
    name = kit.escape(leaving.name)
    if leaving.progress is not None and leaving.outcome is not None:
        current = leaving.progress
        end = current.term.end.isoformat()
        counted = f"{current.counted} of {current.required}"
        if leaving.outcome is Verification.NOT_RENEWED and leaving.renew_by is not None:
            return (
                f"Your ambassador term ended on {end}. You met the requirement ({counted}) but did not renew "
                f"by {leaving.renew_by.isoformat()}, so you are now an *emeritus* ambassador."
            )
        made = f"{current.counted} contribution{'s' if current.counted != 1 else ''}"
        still = review_blocks.still_waiting(leaving.waiting_review)
        return (
            f"Your ambassador term ended on {end} with {made}"
            + (f" counted ({still})" if still else "")
            + f", short of the {current.required} the program asks for, so you are now an *emeritus* ambassador."
        )
    note = f" Their note:\n>{kit.escape(leaving.note)}\n" if leaving.note else " "
    if leaving.reason is EmeritusReason.STEPPED_DOWN:
        said = f" You wrote:\n>{kit.escape(leaving.note)}\n" if leaving.note else " "
        return f"Thank you, {name}: you stepped down and are now an *emeritus* ambassador.{said}"
    if leaving.reason is EmeritusReason.INACTIVE:
        return (
            f"{name}, after a long time without contributions the TSC has moved you to *emeritus* "
            f"ambassador.{note}"
        )
    if leaving.reason is EmeritusReason.JOINED_STAFF:
        return f"{name}, now that you work for the project, the TSC has moved you to *emeritus* ambassador.{note}"
    return f"{name}, the TSC has moved you to *emeritus* ambassador.{note}"


class FarewellMessages:
    """The texts of leaving (bot.services.membership.FarewellMessages)."""

    def thanks(self, leaving: Leaving) -> dict[str, Any]:
        parts = [f":pray: {_why(leaving).strip()}", THANKS]
        if leaving.cancelled:
            parts.append(
                "Your benefit requests still waiting for the TSC were cancelled: "
                f"{_benefit_names(leaving.cancelled)}."
            )
        parts.append(COMING_BACK)
        text = " ".join(parts)
        return kit.message(text, [kit.section(text)])

    def unshipped_benefits(self, leaving: Leaving) -> dict[str, Any]:
        who = f"*{kit.escape(leaving.name)}*" + (
            f" ({kit.mention(leaving.slack_user_id)})" if leaving.slack_user_id else ""
        )
        lines = [
            f"• #{line.request_id} {kit.escape(line.benefit_name)}"
            + (f" ({kit.escape(line.event_name)})" if line.event_name else "")
            + (f", approved {kit.slack_date(line.decided_at)}" if line.decided_at else "")
            for line in leaving.unshipped
        ]
        text = (
            f":package: {who} is now emeritus ({reason_label(leaving.reason)}). Benefits approved for them "
            "but not shipped yet — send them anyway, or leave them (`/ambassador admin benefits` lists them):\n"
            + "\n".join(lines)
        )
        return kit.message(text, [kit.section(text)])


FAREWELL_MESSAGES = FarewellMessages()


# --- stepping down -----------------------------------------------------------------------------------


def step_down_confirm(note: str) -> dict[str, Any]:
    """The answer to `/ambassador step-down`: what it does, and a button to do it (the note rides along)."""
    text = (
        "Step down from the ambassador program? Your term ends today and you become an *emeritus* "
        "ambassador: reminders stop, benefit requests still waiting are cancelled, and the ambassadors' "
        "channels and teams follow. Your contributions stay in the public history, and "
        f"`{ids.COMMAND} rejoin` brings you back through the TSC."
    )
    if note:
        text += f"\nYour note:\n>{kit.escape(note)}"
    confirm = kit.confirm_dialog("Step down now?", "You become an emeritus ambassador today.", "Step down")
    return kit.message(
        text,
        [
            kit.section(text),
            kit.actions(
                kit.button("Step down", ids.STEP_DOWN, note, style="danger", confirm=confirm),
                block_id="step-down",
            ),
        ],
    )


def stepped_down_reply(term_end: date | None) -> str:
    closed = (
        f" Your term was closed today (it would have ended on {term_end.isoformat()})." if term_end else ""
    )
    return f":pray: Done: you are now an emeritus ambassador.{closed} Thank you for everything. {COMING_BACK}"


# --- coming back -----------------------------------------------------------------------------------


def history_lines(history: Any, limit: int = 10) -> str:
    """A returning ambassador's past terms and how they left (for the TSC's review and the form)."""
    terms = [
        f"• {term.start.isoformat()} → {term.end.isoformat()} ({term.status})"
        for term in history.terms[-limit:]
    ]
    lines = [
        f"*Returning ambassador* — {len(history.terms)} earlier term{'s' if len(history.terms) != 1 else ''}"
    ]
    if history.emeritus_since is not None:
        left = f"Emeritus since {history.emeritus_since.date().isoformat()} · {reason_label(history.emeritus_reason)}"
        if history.note:
            left += f": {kit.escape(kit.truncate(history.note, 300))}"
        lines.append(left)
    lines += terms
    lines.append(
        f"{history.contributions_total} contribution{'s' if history.contributions_total != 1 else ''} on record"
    )
    return "\n".join(lines)
