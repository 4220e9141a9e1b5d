"""The TSC's review of contributions: the review channel's list (Verify / Needs info / Not counted, redrawn
in place after each decision), the question and reason forms, what the member reads, and how each
contribution's review state shows to its member (Home, status, history)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.blocks import ids, kit
from bot.blocks import impact as impact_blocks
from bot.rules import membership as membership_rules
from bot.rules import review as review_rules
from bot.rules.review import ReviewDecision, ReviewState
from bot.services.review import ReviewItem

# Each contribution takes two blocks (what it is, then the buttons or who decided), under a header
# and a summary: 20 make 42 blocks, within Slack's 50 a message.
PER_MESSAGE = 20
TITLE = "Contributions to review"
NOTES_SHOWN = 500

NOT_TSC = ":no_entry: Only TSC members review contributions. Nothing was changed."
OWN = (
    ":no_entry: This contribution is yours, or you logged it for its author: another TSC member must "
    "review it. Nothing was changed."
)
GONE = "That contribution is no longer on record (its member deleted it). Nothing was changed."
QUESTION_REQUIRED = "Please ask the member something: they read it in a message from the bot."
REASON_REQUIRED = "Please give the member a reason: they read it in a message from the bot."
NOTE_TOO_LONG = f"Please keep it under {review_rules.NOTE_MAX_LENGTH} characters."

DECIDED = {
    ReviewState.VERIFIED: ":white_check_mark: Verified",
    ReviewState.NEEDS_INFO: ":question: Needs info",
    ReviewState.NOT_COUNTED: ":no_entry_sign: Not counted",
}


# --- the review channel -----------------------------------------------------------------------------


def _who(item: ReviewItem) -> str:
    who = f"*{kit.escape(item.name)}*"
    return f"{who} ({kit.mention(item.slack_user_id)})" if item.slack_user_id else who


def what(item: ReviewItem) -> str:
    """The contribution in one line: type, title (linked), date."""
    label = membership_rules.type_label(item.type)
    return f"{kit.escape(label)} · {kit.link(item.link, kit.truncate(item.title, 200))} · {item.occurred_on.isoformat()}"


def item_text(item: ReviewItem) -> str:
    lines = [f"{_who(item)} — {what(item)}"]
    if reached := impact_blocks.impact_line(item.type, item.impact):
        lines.append(reached)
    if item.logged_by and item.logged_by != item.slack_user_id:
        lines.append(f"Logged for them by {kit.mention(item.logged_by)}.")
    if item.notes:
        lines.append(quote(kit.truncate(item.notes, NOTES_SHOWN)))
    if item.is_open and item.round and item.review_note:
        lines.append(
            f"_Asked before:_ {kit.escape(kit.truncate(item.review_note, NOTES_SHOWN))} (they answered)"
        )
    return "\n".join(lines)


def decided_text(item: ReviewItem) -> str:
    if item.is_open:
        return "Waiting for a TSC member."
    done = DECIDED.get(ReviewState(item.state)) if item.state in set(ReviewState) else None
    if done is None:  # never under review: nothing to decide
        return "It is not waiting for a review: it counts as it is."
    text = f"{done} by {kit.mention(item.reviewed_by, 'the TSC')} on {kit.slack_date(item.reviewed_at)}."
    if item.state in (ReviewState.NEEDS_INFO, ReviewState.NOT_COUNTED) and item.review_note:
        text += f" “{kit.escape(kit.truncate(item.review_note, NOTES_SHOWN))}”"
    return text


def _buttons(item: ReviewItem) -> kit.Block:
    value = str(item.id)
    return kit.actions(
        kit.button("Verify", ids.REVIEW_VERIFY, value, style="primary"),
        kit.button("Needs info", ids.REVIEW_NEEDS_INFO, value),
        kit.button("Not counted", ids.REVIEW_NOT_COUNTED, value, style="danger"),
        block_id=f"review-actions-{item.id}",
    )


def item_blocks(item: ReviewItem) -> list[kit.Block]:
    """What it is, then the buttons (waiting) or who decided what."""
    blocks = [kit.section(kit.truncate(item_text(item), kit.MAX_SECTION_TEXT), block_id=f"review-{item.id}")]
    blocks.append(_buttons(item) if item.is_open else kit.context(decided_text(item)))
    return blocks


def review_message(items: Sequence[ReviewItem]) -> dict[str, Any]:
    """The list as it stands: buttons on each contribution still waiting, who decided the others."""
    waiting = sum(1 for item in items if item.is_open)
    summary = (
        f"{len(items)} new contribution{'s' if len(items) != 1 else ''}; {waiting} waiting for a TSC member. "
        "Each counts toward its member's term once verified; nobody reviews their own."
    )
    blocks: list[kit.Block] = [kit.header(TITLE), kit.section(summary)]
    for item in items[:PER_MESSAGE]:
        blocks += item_blocks(item)
    return kit.message(f"{TITLE}: {summary}", blocks)


def note_modal(decision: ReviewDecision, contribution_id: int, private_metadata: str) -> dict[str, Any]:
    """The question (Needs info) or the reason (Not counted) the member will read."""
    if decision is ReviewDecision.NEEDS_INFO:
        title, submit = "Ask the member", "Send question"
        intro = (
            "The member gets your question in a message from the bot, with a button that opens the "
            "contribution's form: whatever they save comes back to this channel for review."
        )
        label = "Your question (sent to the member)"
    else:
        title, submit = "Not counted", "Not counted"
        intro = (
            "The member gets your reason in a message from the bot. Be kind and specific: what would "
            "make a contribution like this one count?"
        )
        label = "Why it does not count (sent to the member)"
    blocks: list[kit.Block] = [
        kit.section(intro),
        {
            "type": "input",
            "block_id": "reason",
            "label": kit.plain(label),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": review_rules.NOTE_MAX_LENGTH,
            },
        },
    ]
    return kit.modal(ids.REVIEW_NOTE_MODAL, title, blocks, submit=submit, private_metadata=private_metadata)


def decided_modal(text: str) -> dict[str, Any]:
    return kit.modal(
        ids.REVIEW_NOTE_MODAL, "Contribution review", [kit.section(text)], submit=None, close="Close"
    )


def already_decided(item: ReviewItem) -> str:
    return (
        f"Nothing changed: {kit.escape(item.name)}'s contribution was already reviewed. {decided_text(item)}"
    )


def decided_reply(item: ReviewItem) -> str:
    told = " They were told." if item.state != ReviewState.VERIFIED and item.slack_user_id else ""
    return f"Done: {kit.escape(item.name)}'s {what(item)}. {decided_text(item)}{told}"


# --- what the member reads --------------------------------------------------------------------------


def _edit_button(item: ReviewItem, text: str) -> kit.Block:
    return kit.actions(
        kit.button(text, ids.EDIT_CONTRIBUTION, str(item.id), style="primary"), block_id="review-answer"
    )


class ReviewMessages:
    """bot.services.review.Messages."""

    def question(self, item: ReviewItem, question: str) -> dict[str, Any]:
        text = (
            f":wave: {kit.escape(item.name)}, {kit.mention(item.reviewed_by, 'a TSC member')} has a question "
            f"about your {what(item)} before it counts toward your term:\n{quote(question)}"
        )
        how = (
            "*Answer* opens the contribution: fix what needs fixing, or reply in *Notes for the TSC*. "
            "When you save it, it goes back to the TSC."
        )
        return _member_message(text, how, _edit_button(item, "Answer"))

    def not_counted(self, item: ReviewItem, reason: str) -> dict[str, Any]:
        text = (
            f"{kit.escape(item.name)}, thank you for logging your {what(item)}. "
            f"{kit.mention(item.reviewed_by, 'A TSC member')} looked at it, and it does not count toward the "
            f"program's requirement:\n{quote(reason)}"
        )
        how = (
            "It stays in your history. If something was missing (another link, the right type or date), "
            "edit it and it goes back to the TSC; you are also welcome to ask them."
        )
        return _member_message(text, how, _edit_button(item, "Edit it"))


def quote(text: str) -> str:
    """The TSC's words as a quote, every line of them."""
    return ">" + kit.escape(text.strip()).replace("\n", "\n>")


def _member_message(text: str, how: str, button: kit.Block) -> dict[str, Any]:
    return kit.message(
        text, [kit.section(kit.truncate(text, kit.MAX_SECTION_TEXT)), kit.context(how), button]
    )


REVIEW_MESSAGES = ReviewMessages()


def state_line(state: str, note: str | None) -> str:
    """How a contribution's review shows to its member; "" when it was never under review."""
    if state == ReviewState.PENDING:
        return ":hourglass_flowing_sand: Waiting for the TSC's review: it counts once verified."
    if state == ReviewState.NEEDS_INFO:
        asked = f" “{kit.escape(kit.truncate(note, 300))}”" if note else ""
        return f":question: The TSC asked:{asked} Edit it to answer; it counts once verified."
    if state == ReviewState.NOT_COUNTED:
        why = f" “{kit.escape(kit.truncate(note, 300))}”" if note else ""
        return f":no_entry_sign: Not counted by the TSC:{why}"
    if state == ReviewState.VERIFIED:
        return ":white_check_mark: Verified by the TSC."
    return ""


def waiting_text(waiting: int) -> str:
    """e.g. "1 waiting for the TSC's review", beside the count; "" when none waits."""
    if not waiting:
        return ""
    return f":hourglass_flowing_sand: {waiting} more waiting for the TSC's review (they count once verified)."


def still_waiting(waiting: int) -> str:
    """e.g. "1 contribution still waiting for the TSC's review", where the verification speaks of a term;
    "" when none waits."""
    if not waiting:
        return ""
    return f"{waiting} contribution{'s' if waiting != 1 else ''} still waiting for the TSC's review"


def question_block(private_metadata: str) -> list[kit.Block]:
    """The TSC's question above the edit form, when the form answers one (kept in its metadata, so a
    redrawn form keeps it)."""
    try:
        asked = json.loads(private_metadata).get("asked") if private_metadata else None
    except (ValueError, AttributeError):
        asked = None
    if not asked:
        return []
    text = (
        f":question: *The TSC asked:* {kit.escape(kit.truncate(str(asked), 1000))}\nChange what needs changing, "
        "or answer in *Notes for the TSC*. Saving sends it back to the TSC."
    )
    return [kit.section(text, block_id="review-question")]


LOGGED_WAITING = (
    "It counts toward your term once a TSC member has verified it (new contributions are reviewed daily)."
)
EDITED_BACK = ":hourglass_flowing_sand: Saved. It goes back to the TSC, who review contributions daily."
