"""The TSC's review of benefit requests: the review post, the decisions' modals and the member's DMs.

Shipping details appear only in `shipping_modal` (opened by a TSC member, privately, through the Web
API: never in an acknowledgement's body, which Bolt logs at DEBUG). The review post says whether there are
any, never what they are.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from bot.blocks.benefits.common import KIND_LABELS, money, value_text
from bot.blocks.benefits.requesting import event_text, shipping_text
from bot.blocks.contributions import pace_text, progress_line
from bot.blocks.kit import (
    MAX_SECTION_TEXT,
    Block,
    actions,
    button,
    confirm_dialog,
    context,
    escape,
    header,
    mention,
    message,
    modal,
    plain,
    section,
    slack_date,
    truncate,
)
from bot.rules import benefits as benefit_rules
from bot.rules import membership as membership_rules
from bot.rules.benefits import RequestStatus

# --- the TSC's review ---------------------------------------------------------------------------


def budget_text(budget: benefit_rules.Budget, currency: str, value: int | None = None) -> str:
    if not budget.tracked:
        return (
            f"*Budget {budget.year}*: none set (`BENEFITS_YEARLY_BUDGET`); approved so far "
            f"{money(budget.committed, currency)}."
        )
    text = (
        f"*Budget {budget.year}*: {money(budget.total, currency)} · approved {money(budget.committed, currency)} · "
        f"left {money(budget.left, currency)}"
    )
    if value is not None:
        after = budget.left_after(value)
        text += f" · after this request {money(after, currency)}"
        if budget.exceeded_by(value):
            text += " :warning: over budget"
    return text + "."


def standing_text(view: Any) -> str:
    if view.progress is None:
        return "Not a current ambassador any more."
    return f"{progress_line(view.progress)}\n{pace_text(view.progress)}"


def _shipping_state(view: Any) -> str | None:
    if view.has_shipping:
        return (
            ":lock: Shipping details given: TSC members see them with *Shipping details* (never posted here)."
        )
    if view.shipping_erased_at is not None:
        return f"Shipping details erased {slack_date(view.shipping_erased_at)}."
    return None


def status_text(view: Any) -> str:
    who = mention(view.decided_by, "the TSC")
    if view.status == RequestStatus.APPROVED:
        return f":white_check_mark: *Approved* by {who} on {slack_date(view.decided_at)}. Waiting for fulfilment."
    if view.status == RequestStatus.DECLINED:
        reason = f"\n>{escape(truncate(view.decision_reason or '', 1000))}" if view.decision_reason else ""
        return f":heavy_minus_sign: *Declined* by {who} on {slack_date(view.decided_at)}.{reason}"
    if view.status == RequestStatus.FULFILLED:
        note = " A note went to the member." if view.has_fulfilment_note else ""
        return (
            f":white_check_mark: Approved by {who} · :package: *Fulfilled* by {mention(view.fulfilled_by, 'the TSC')} "
            f"on {slack_date(view.fulfilled_at)}.{note}"
        )
    if view.status == RequestStatus.CANCELLED:
        return f":wastebasket: *Cancelled* by the member on {slack_date(view.cancelled_at)}."
    return "Waiting for a TSC decision."


def review_message(view: Any) -> dict[str, Any]:
    """The request in REVIEW_CHANNEL: the member's standing, what they ask for, its value and the
    budget, with Approve and Decline (then Mark fulfilled). Never the shipping details."""
    who = f"*{escape(view.member_name)}*" + (
        f" ({mention(view.slack_user_id)})" if view.slack_user_id else ""
    )
    asked = f"*{escape(view.benefit_name)}* ({KIND_LABELS.get(view.kind, view.kind)}) — {value_text(view.value, view.currency)}"
    blocks: list[Block] = [
        header(truncate(f"Benefit request: {view.benefit_name}", 150)),
        section(f"{who}\n{standing_text(view)}", block_id="standing"),
        section(asked, block_id="asked"),
    ]
    if view.event_name:
        blocks.append(section(event_text(view), block_id="event"))
    if view.note:
        blocks.append(section(f"*Note*\n{escape(truncate(view.note, 1500))}", block_id="note"))
    blocks.append(
        section(
            budget_text(view.budget, view.currency, view.value if view.status == "pending" else None),
            block_id="budget",
        )
    )
    if shipping := _shipping_state(view):
        blocks.append(context(shipping))
    blocks.append(context(f"Request #{view.id} · sent {slack_date(view.requested_at)}"))
    buttons: list[Block] = []
    if view.status == RequestStatus.PENDING:
        approve_confirm = {
            **confirm_dialog(
                f"Approve {truncate(view.benefit_name, 60)}?",
                f"{truncate(view.member_name, 60)} is told at once; then mark it fulfilled when it is sent.",
                "Approve",
            ),
            "style": "primary",
        }
        buttons += [
            button("Approve", ids.BENEFIT_APPROVE, str(view.id), style="primary", confirm=approve_confirm),
            button("Decline", ids.BENEFIT_DECLINE, str(view.id), style="danger"),
        ]
    else:
        blocks.append(section(status_text(view), block_id="decision"))
    if view.status == RequestStatus.APPROVED:
        buttons.append(button("Mark fulfilled", ids.BENEFIT_FULFIL, str(view.id), style="primary"))
    if view.has_shipping and view.status in benefit_rules.OPEN_STATUSES:
        buttons.append(button("Shipping details", ids.BENEFIT_SHIPPING, str(view.id)))
    if buttons:
        blocks.append(actions(*buttons, block_id="benefit-review"))
    text = f"Benefit request from {escape(view.member_name)}: {view.benefit_name}, {view.status}."
    return message(text, blocks)


NOT_TSC = ":no_entry: Only TSC members can decide or fulfil benefit requests. Nothing was changed."
GONE = "That benefit request no longer exists. Nothing was changed."
DECLINE_REASON_REQUIRED = "Please give the member a reason."
DECLINE_REASON_TOO_LONG = (
    f"Please keep the reason under {membership_rules.DECISION_REASON_MAX_LENGTH} characters."
)
NOTE_TOO_LONG = f"Please keep the note under {benefit_rules.LIMITS['fulfilment_note']} characters."


def refusal_text(refusal: membership_rules.DecisionRefusal, tsc_count: int) -> str:
    if refusal is membership_rules.DecisionRefusal.NOT_TSC:
        return NOT_TSC
    text = ":no_entry: This is your own request: another TSC member decides it. Nothing was changed."
    if tsc_count <= 1:
        text += (
            " You are the only TSC member I know of: add another to `TSC_USER_IDS` "
            "(or flag a member `isTscMember`) so someone can decide it."
        )
    return text


def already_text(view: Any) -> str:
    return f"Nothing changed: request #{view.id} was already handled. {status_text(view)}"


def done_text(view: Any) -> str:
    return f"Done: request #{view.id} ({escape(view.benefit_name)} for {escape(view.member_name)}). {status_text(view)}"


def decline_modal(request_id: int, metadata: str) -> dict[str, Any]:
    blocks: list[Block] = [
        section(
            f"Request #{request_id}. The member receives your reason in a direct message from the bot, so be "
            "kind and, when you can, say what would work instead."
        ),
        {
            "type": "input",
            "block_id": "reason",
            "label": plain("Reason (sent to the member)"),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": membership_rules.DECISION_REASON_MAX_LENGTH,
            },
        },
    ]
    return modal(
        ids.BENEFIT_DECLINE_MODAL, "Decline request", blocks, submit="Decline", private_metadata=metadata
    )


def fulfil_modal(request_id: int, metadata: str) -> dict[str, Any]:
    blocks: list[Block] = [
        section(
            f"Request #{request_id}. The member gets a message that it is done, with your note: a tracking "
            "link for a parcel, or the ticket code for a conference."
        ),
        {
            "type": "input",
            "block_id": "note",
            "optional": True,
            "label": plain("Note or tracking link (sent to the member only)"),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": benefit_rules.LIMITS["fulfilment_note"],
            },
        },
    ]
    return modal(
        ids.BENEFIT_FULFIL_MODAL, "Mark fulfilled", blocks, submit="Mark fulfilled", private_metadata=metadata
    )


def closed_modal(text: str) -> dict[str, Any]:
    return modal(ids.BENEFIT_FULFIL_MODAL, "Benefit request", [section(text)], submit=None, close="Close")


def shipping_modal(private: Any) -> dict[str, Any]:
    """For a TSC member (or the member): the request with its shipping details, privately."""
    view = private.view
    blocks: list[Block] = [
        section(
            f"*{escape(view.benefit_name)}* for *{escape(view.member_name)}* (#{view.id})\n{status_text(view)}"
        )
    ]
    if private.shipping is not None:
        blocks.append(section(shipping_text(private.shipping)))
        blocks.append(
            context(":lock: Personal data: please do not copy it into channels. Viewing is audited.")
        )
    else:
        blocks.append(section(_shipping_state(view) or "No shipping details for this request."))
    return modal(ids.BENEFIT_SHIPPING, "Shipping details", blocks, submit=None, close="Close")


def review_not_posted_log_hint(channel: str, error: str | None) -> str:
    if not channel:
        return "REVIEW_CHANNEL is not set: set it to the TSC's channel ID (like C012AB3CD)"
    return f"posting to REVIEW_CHANNEL {channel} failed ({error or 'unknown error'}); it is retried"


class BenefitMessages:
    """The texts of the benefit outbox messages (bot.services.benefits.common.Messages)."""

    def review(self, request: Any) -> dict[str, Any]:
        return review_message(request)

    def decided(self, request: Any) -> dict[str, Any]:
        name = escape(request.benefit_name)
        if request.status == RequestStatus.APPROVED:
            text = (
                f":white_check_mark: Good news: your request for *{name}* (#{request.id}) is approved by "
                f"{mention(request.decided_by, 'the TSC')}. I will message you again when it is on its way."
            )
        else:
            reason = escape(request.decision_reason or "")
            text = (
                f"Thank you for asking for *{name}* (#{request.id}). The TSC could not approve it this time:\n"
                f">{reason}\nThis is about this request, not about you or your work: ask again whenever "
                "it fits, or reply to the TSC if you have questions."
            )
        return message(text, [section(text)])

    def fulfilled(self, request: Any, note: str | None) -> dict[str, Any]:
        name = escape(request.benefit_name)
        text = f":package: Your *{name}* (#{request.id}) is on its way. Thank you for all you do for the community!"
        if request.kind == benefit_rules.BenefitKind.CONFERENCE_TICKET:
            text = f":admission_tickets: Your *{name}* (#{request.id}) is ready. See you there!"
        if note:
            text += f"\n\n*From the TSC*\n{escape(note)}"
        return message(text, [section(truncate(text, MAX_SECTION_TEXT))])


BENEFIT_MESSAGES = BenefitMessages()
