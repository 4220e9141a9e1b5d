"""Proposals to move members to emeritus, as the TSC sees them in the review channel (one message per
list, redrawn in place after each decision), and what the member reads after "Give 30 more days"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks import ids, kit
from bot.blocks import review as review_blocks
from bot.rules import emeritus as emeritus_rules
from bot.rules.emeritus import ProposalCause
from bot.services.membership.proposals import ProposalView

# Each proposal takes two blocks (who and why, then the buttons): 20 fit a message with room to spare.
PER_MESSAGE = 20

# By the proposal's status once decided (bot.store.models.ProposalStatus).
DECIDED_TEXT = {
    "emeritus": ":white_check_mark: Moved to emeritus",
    "kept": ":raised_hands: Kept",
    "more_days": f":calendar: Given {emeritus_rules.MORE_DAYS} more days",
}
NOT_TSC = ":no_entry: Only TSC members decide these proposals. Nothing was changed."
OWN = ":no_entry: This proposal is about you: another TSC member must decide it. Nothing was changed."
GONE = "That proposal no longer exists. Nothing was changed."
NOT_OFFERED = "That decision is not offered for this proposal. Nothing was changed."


def _who(item: ProposalView) -> str:
    who = f"*{kit.escape(item.name)}*"
    return f"{who} ({kit.mention(item.slack_user_id)})" if item.slack_user_id else who


def why(item: ProposalView) -> str:
    details = item.details
    if item.cause == ProposalCause.VERIFICATION:
        line = (
            f"term ended {details.get('end', '?')} with {details.get('counted', '?')} of "
            f"{details.get('required', '?')} contributions"
        )
        if details.get("outcome") == "not_renewed":
            line += ", requirement met but no renewal requested"
        elif still := review_blocks.still_waiting(int(details.get("waiting_review") or 0)):
            line += f" ({still})"
        return line
    last = details.get("last_contribution")
    since = f"last contribution {last}" if last else "no contribution on record"
    return f"inactive for {details.get('days', '?')} days ({since}; stretch since {details.get('stretch_start', '?')})"


def decided_text(item: ProposalView) -> str:
    if item.status == "withdrawn":
        return "Nothing to decide any more: they renewed, left, or were moved meanwhile."
    done = DECIDED_TEXT.get(item.status, item.status)
    return f"{done} by {kit.mention(item.decided_by, 'the TSC')} on {kit.slack_date(item.decided_at)}."


def _buttons(item: ProposalView) -> kit.Block:
    confirm = kit.confirm_dialog(
        f"Move {kit.truncate(item.name, 60)} to emeritus?",
        "Their term closes today; they get a thank-you and their access follows.",
        "Move to emeritus",
    )
    second = (
        kit.button(f"Give {emeritus_rules.MORE_DAYS} more days", ids.PROPOSAL_MORE_DAYS, str(item.id))
        if item.cause == ProposalCause.VERIFICATION
        else kit.button("Keep", ids.PROPOSAL_KEEP, str(item.id), style="primary")
    )
    return kit.actions(
        kit.button("Move to emeritus", ids.PROPOSAL_EMERITUS, str(item.id), style="danger", confirm=confirm),
        second,
        block_id=f"proposal-actions-{item.id}",
    )


def proposal_blocks(item: ProposalView) -> list[kit.Block]:
    """Who and why, then the buttons (open) or who decided."""
    blocks = [kit.section(f"{_who(item)} — {why(item)}", block_id=f"proposal-{item.id}")]
    blocks.append(_buttons(item) if item.is_open else kit.context(decided_text(item)))
    return blocks


def proposals_message(title: str, items: Sequence[ProposalView], message_key: str) -> dict[str, Any]:
    """The list as it stands: buttons on each open proposal, who decided on the others, and (for the
    verification's list) one Confirm all while any is open."""
    open_items = [item for item in items if item.is_open]
    summary = (
        f"{len(items)} proposed for emeritus; {len(open_items)} waiting for a TSC member. The member keeps "
        "their status until someone decides; nobody decides about themselves."
    )
    blocks: list[kit.Block] = [kit.header(title), kit.section(summary)]
    for item in items:
        blocks += proposal_blocks(item)
    verification = any(item.cause == ProposalCause.VERIFICATION for item in items)
    if verification and open_items:
        confirm = kit.confirm_dialog(
            f"Move all {len(open_items)} to emeritus?",
            "Every proposal still open in this list; one about you is left for another TSC member.",
            "Confirm all",
        )
        blocks.append(
            kit.actions(
                kit.button("Confirm all", ids.PROPOSAL_CONFIRM_ALL, message_key, confirm=confirm),
                block_id="proposal-confirm-all",
            )
        )
    return kit.message(f"{title}: {summary}", blocks[: kit.MAX_MESSAGE_BLOCKS])


def verification_title(day: date) -> str:
    return f"Term verification, {day.isoformat()}: would lapse, the TSC decides"


def inactivity_title(day: date) -> str:
    return f"Inactivity, {day.isoformat()}: proposed for emeritus, the TSC decides"


def title_for(message_key: str | None, cause: str) -> str:
    """The list's title again, from its key (`proposals:{cause}:{date}:{first id}`), to redraw it."""
    parts = (message_key or "").split(":")
    try:
        day = date.fromisoformat(parts[2])
    except (IndexError, ValueError):
        return "Proposed for emeritus: the TSC decides"
    return verification_title(day) if cause == ProposalCause.VERIFICATION else inactivity_title(day)


def already_decided(item: ProposalView) -> str:
    return f"Nothing changed: the proposal about {kit.escape(item.name)} was already decided. {decided_text(item)}"


def decided_reply(item: ProposalView, term_end: date | None = None) -> str:
    if item.status == "more_days" and term_end is not None:
        return (
            f":calendar: {kit.escape(item.name)}'s term now ends on {term_end.isoformat()}; they have been told "
            "what is missing. The verification looks at it again after that day."
        )
    return f"Done: {kit.escape(item.name)}. {decided_text(item)}"


def confirm_all_reply(decided: int, own: int) -> str:
    text = f":white_check_mark: Moved {decided} to emeritus."
    if own:
        text += " The proposal about you is left for another TSC member."
    if not decided and not own:
        text = "Nothing was left to confirm: every proposal in this list was already decided."
    return text


class ProposalMessages:
    """bot.services.membership.proposals.Messages."""

    def more_days(self, name: str, end: date, counted: int, required: int) -> dict[str, Any]:
        missing = max(0, required - counted)
        text = (
            f":calendar: {kit.escape(name)}, the TSC gave you {emeritus_rules.MORE_DAYS} more days: your ambassador "
            f"term now ends on *{end.isoformat()}*. You have *{counted} of {required}* contributions"
            + (f"; *{missing} more* keep you an ambassador." if missing else ".")
            + " Anything you did this term counts, so log what you have not logged yet."
        )
        return kit.message(
            text,
            [kit.section(text), kit.actions(kit.button("Log a contribution", ids.LOG_OPEN, style="primary"))],
        )


PROPOSAL_MESSAGES = ProposalMessages()
