"""Every message, view and text of benefits: `/ambassador benefits`, the request form, the review post,
the member's DMs, the TSC's Home section and admin replies, and the TSC report's overdue lines.

Shipping details appear only in `shipping_modal` (opened by a TSC member, privately, through the Web
API: never in an acknowledgement's body, which Bolt logs at DEBUG). The review post says whether there are any,
never what they are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, tzinfo
from typing import Any

from bot.blocks import ids
from bot.blocks.contributions import pace_text, progress_line
from bot.blocks.kit import (
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
    Block,
    actions,
    button,
    confirm_dialog,
    context,
    divider,
    escape,
    header,
    link,
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
from bot.rules.benefits import FieldProblem, RequestRefusal, RequestStatus

KIND_LABELS = {
    benefit_rules.BenefitKind.SWAG_PACK: "Swag pack",
    benefit_rules.BenefitKind.EVENT_SWAG: "Event swag",
    benefit_rules.BenefitKind.CONFERENCE_TICKET: "Conference ticket",
    benefit_rules.BenefitKind.OTHER: "Other",
}
STATUS_TEXT = {
    RequestStatus.PENDING: ":hourglass_flowing_sand: waiting for the TSC",
    RequestStatus.APPROVED: ":white_check_mark: approved, on its way soon",
    RequestStatus.DECLINED: ":heavy_minus_sign: not approved",
    RequestStatus.FULFILLED: ":package: fulfilled",
    RequestStatus.CANCELLED: ":wastebasket: cancelled",
}
PRIVACY_NOTE = (
    ":lock: Only you and the TSC see your shipping details. They are erased "
    f"{benefit_rules.SHIPPING_RETENTION_DAYS} days after your request is fulfilled (at once if it is declined or cancelled)."
)
NOTE_HINT = "The TSC reads this in its review channel: please keep addresses and phone numbers out of it."


def money(value: int, currency: str) -> str:
    return f"{value:,} {currency}"


def value_text(value: int, currency: str) -> str:
    return "free" if value == 0 else f"about {money(value, currency)}"


# --- /ambassador benefits ---------------------------------------------------------------------------


def _offer_line(offer: Any, currency: str, is_ambassador: bool) -> str:
    item = offer.item
    line = f"• *{escape(item.name)}* — {value_text(item.value, currency)}"
    if item.description:
        line += f"\n   {escape(item.description)}"
    if is_ambassador and offer.left is not None:
        line += (
            f"\n   _{offer.left} more this term_" if offer.left > 0 else "\n   _already requested this term_"
        )
    elif item.limit_per_term:
        line += f"\n   _{item.limit_per_term} per term_"
    return line


def request_line(request: Any, zone: tzinfo | None = None) -> str:
    when = slack_date(request.requested_at)
    line = f"*{escape(request.benefit_name)}* · #{request.id} · asked {when}\n{STATUS_TEXT.get(request.status, request.status)}"
    if request.event_name:
        line += f" · {escape(request.event_name)}"
    if request.status == RequestStatus.DECLINED and request.decision_reason:
        line += f"\n>{escape(truncate(request.decision_reason, 500))}"
    return line


def overview_message(data: Any) -> dict[str, Any]:
    """`/ambassador benefits`: the offers, what is left this term, and the member's own requests."""
    offers = [_offer_line(offer, data.currency, data.is_ambassador) for offer in data.offers]
    blocks: list[Block] = [header("Ambassador benefits")]
    blocks.append(section("\n".join(offers) if offers else "No benefits are on offer right now."))
    blocks.append(context("Plus community-wide recognition, and all our respect for your contributions."))
    if data.is_ambassador:
        if any(offer.available for offer in data.offers):
            blocks.append(actions(request_button(), block_id="benefit-request"))
    else:
        blocks.append(section(NOT_AMBASSADOR))
    if data.requests:
        blocks += [divider(), header("Your requests")]
        for request in data.requests[:20]:
            accessory = None
            if request.status == RequestStatus.PENDING:
                accessory = button(
                    "Cancel",
                    ids.BENEFIT_CANCEL,
                    str(request.id),
                    confirm=confirm_dialog(
                        "Cancel this request?",
                        "The TSC will not review it. You can ask again later.",
                        "Cancel it",
                        "Keep it",
                    ),
                )
            blocks.append(
                section(request_line(request), block_id=f"request-{request.id}", accessory=accessory)
            )
    text = f"Ambassador benefits: {len(data.offers)} on offer"
    if data.requests:
        text += f", {len(data.requests)} request{'s' if len(data.requests) != 1 else ''} of yours"
    return message(text + ".", blocks[:MAX_MESSAGE_BLOCKS])


NOT_AMBASSADOR = (
    "Benefits are for current ambassadors. `/ambassador apply` to join the program, "
    "or `/ambassador status` to see where you stand."
)


def request_button(benefit_id: int | None = None) -> Block:
    """On the ambassador's Home and in `/ambassador benefits`."""
    return button("Request a benefit", ids.BENEFIT_OPEN, str(benefit_id or ""))


# --- the request form ---------------------------------------------------------------------------


FIELD_LABELS = {
    "event_name": ("Event name", "e.g. AsyncAPI workshop at DevFest Madrid"),
    "event_date": ("Event date", ""),
    "event_link": ("Event link", "https://..."),
    "participants": ("Expected participants", ""),
    "ship_name": ("Recipient name", "as on the parcel"),
    "ship_address": ("Shipping address", "street, number, postal code, city, region"),
    "ship_country": ("Country", "e.g. Spain"),
    "ship_phone": ("Phone for the courier", "optional, with country code"),
    "note": ("Anything else the TSC should know?", "optional"),
}


def _input(
    block_id: str, *, optional: bool = False, multiline: bool = False, hint: str | None = None
) -> Block:
    label, placeholder = FIELD_LABELS[block_id]
    element: Block = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    limit = benefit_rules.LIMITS.get(block_id)
    if limit:
        element["max_length"] = limit
    if placeholder:
        element["placeholder"] = plain(placeholder)
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element}
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain(hint)
    return block


def _option(item: Any, currency: str) -> dict[str, Any]:
    return {
        "text": plain(truncate(f"{item.name} ({value_text(item.value, currency)})", 75)),
        "value": str(item.id),
    }


def loading_modal() -> dict[str, Any]:
    return modal(ids.BENEFIT_MODAL, "Request a benefit", [section(":hourglass: One moment…")], submit=None)


def request_modal(offers: Sequence[Any], selected: Any, currency: str) -> dict[str, Any]:
    """The form for `selected` (a CatalogueItem): only the fields its benefit asks for.

    Choosing another benefit redraws the form (the select dispatches its action).
    """
    options = [_option(offer.item, currency) for offer in offers]
    select: Block = {
        "type": "static_select",
        "action_id": ids.BENEFIT_SELECT,
        "options": options,
        "initial_option": _option(selected, currency),
    }
    blocks: list[Block] = [
        {
            "type": "input",
            "block_id": "benefit",
            "dispatch_action": True,
            "label": plain("Benefit"),
            "element": select,
        }
    ]
    if selected.description:
        blocks.append(context(escape(selected.description)))
    spec = selected.spec
    if spec.needs_event:
        blocks.append(_input("event_name"))
        blocks.append(
            {
                "type": "input",
                "block_id": "event_date",
                "label": plain("Event date"),
                "element": {"type": "datepicker", "action_id": "value"},
            }
        )
        blocks.append(_input("event_link"))
    if spec.needs_participants:
        blocks.append(
            {
                "type": "input",
                "block_id": "participants",
                "label": plain("Expected participants"),
                "element": {
                    "type": "number_input",
                    "action_id": "value",
                    "is_decimal_allowed": False,
                    "min_value": "1",
                    "max_value": str(benefit_rules.MAX_PARTICIPANTS),
                },
            }
        )
    if spec.needs_shipping:
        blocks.append(section("*Where should we send it?*"))
        blocks.append(_input("ship_name"))
        blocks.append(_input("ship_address", multiline=True))
        blocks.append(_input("ship_country"))
        blocks.append(_input("ship_phone", optional=True))
        blocks.append(context(PRIVACY_NOTE))
    blocks.append(_input("note", optional=True, multiline=True, hint=NOTE_HINT))
    metadata = json.dumps({"benefit_id": selected.id})
    return modal(
        ids.BENEFIT_MODAL, "Request a benefit", blocks, submit="Send request", private_metadata=metadata
    )


REFUSALS = {
    RequestRefusal.NOT_AMBASSADOR: NOT_AMBASSADOR,
    RequestRefusal.NOT_OFFERED: "That benefit is no longer on offer. `/ambassador benefits` shows what is.",
    RequestRefusal.LIMIT_REACHED: (
        "You have already requested that benefit as many times as a term allows. "
        "`/ambassador benefits` shows your requests."
    ),
}
NOTHING_LEFT = "You have requested everything on offer this term. `/ambassador benefits` shows your requests and their status."


def refused_modal(text: str) -> dict[str, Any]:
    return modal(ids.BENEFIT_MODAL, "Request a benefit", [section(text)], submit=None, close="Close")


FIELD_PROBLEMS = {
    FieldProblem.REQUIRED: "Please fill this in.",
    FieldProblem.TOO_LONG: "That is too long; please shorten it.",
    FieldProblem.BAD_LINK: "Give the event's web page, starting with https://",
    FieldProblem.BAD_DATE: "Pick the date of the event.",
    FieldProblem.DATE_TOO_OLD: f"That event is more than {benefit_rules.EVENT_PAST_DAYS} days ago.",
    FieldProblem.DATE_TOO_FAR: "That date is more than two years away.",
    FieldProblem.BAD_NUMBER: f"A whole number from 1 to {benefit_rules.MAX_PARTICIPANTS:,}.",
}


def field_errors(problems: Mapping[str, FieldProblem]) -> dict[str, str]:
    return {block_id: FIELD_PROBLEMS[problem] for block_id, problem in problems.items()}


def request_received_modal(private: Any, review_posted: bool) -> dict[str, Any]:
    """The member's confirmation: what they asked for and that their shipping details are kept safe."""
    view = private.view
    lines = [f":inbox_tray: Your request for *{escape(view.benefit_name)}* (#{view.id}) is with the TSC."]
    if not review_posted:
        lines.append("The TSC will see it as soon as their review channel is ready; nothing is lost.")
    lines.append(
        "I will message you when they decide. You can cancel it until then with `/ambassador benefits`."
    )
    blocks: list[Block] = [section("\n".join(lines))]
    if view.event_name:
        blocks.append(section(_event_text(view)))
    if private.shipping is not None:
        # Not echoed: this view is the answer to Slack's request, which Bolt logs at DEBUG.
        blocks.append(context(":package: Your shipping details are stored with the request. " + PRIVACY_NOTE))
    return modal(ids.BENEFIT_MODAL, "Request sent", blocks, submit=None, close="Close")


def shipping_text(shipping: Any) -> str:
    lines = [
        "*Ship to*",
        escape(shipping.name),
        escape(shipping.address),
        escape(shipping.country),
    ]
    if shipping.phone:
        lines.append(f"Phone: {escape(shipping.phone)}")
    return "\n".join(lines)


def _event_text(view: Any) -> str:
    parts = [f"*Event* {link(view.event_link or '', view.event_name or 'an event')}"]
    if view.event_date:
        parts.append(f"on {view.event_date.isoformat()}")
    if view.participants:
        parts.append(f"· {view.participants:,} participants expected")
    return " ".join(parts)


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
        blocks.append(section(_event_text(view), block_id="event"))
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


# --- the App Home -------------------------------------------------------------------------------


def tsc_home_blocks(data: Any) -> list[Block]:
    """The TSC's Home: requests waiting for a decision and for fulfilment, and the budget."""
    blocks: list[Block] = [
        header(f"TSC · Benefit requests ({data.pending_total} to decide, {data.approved_total} to fulfil)"),
        context(budget_text(data.budget, data.currency)),
    ]
    if not data.items:
        blocks.append(context("No benefit requests are open."))
    for item in data.items:
        who = f"*{escape(item.member_name)}*" + (
            f" ({mention(item.slack_user_id)})" if item.slack_user_id else ""
        )
        if item.status == RequestStatus.PENDING:
            line = f"{who}: {escape(item.benefit_name)} — {value_text(item.value, data.currency)} · asked {slack_date(item.requested_at)}"
            buttons = [
                button("Approve", ids.BENEFIT_APPROVE, str(item.id), style="primary"),
                button("Decline", ids.BENEFIT_DECLINE, str(item.id), style="danger"),
            ]
        else:
            line = f"{who}: {escape(item.benefit_name)} · approved {slack_date(item.decided_at)}, to fulfil"
            buttons = [button("Mark fulfilled", ids.BENEFIT_FULFIL, str(item.id), style="primary")]
        blocks.append(section(line, block_id=f"benefit-{item.id}"))
        blocks.append(actions(*buttons, block_id=f"benefit-actions-{item.id}"))
    shown = len(data.items)
    total = data.pending_total + data.approved_total
    if total > shown:
        blocks.append(
            context(f"…and {total - shown} more. `/ambassador admin benefits requests` lists them all.")
        )
    return blocks


# --- the TSC's admin commands -------------------------------------------------------------------

ADMIN_HELP = (
    "*Benefits catalogue* (TSC)\n"
    "• `/ambassador admin benefits` — the catalogue, the budget and the open requests\n"
    "• `/ambassador admin benefits requests` — every open request, with its buttons\n"
    "• `/ambassador admin benefits add KEY KIND VALUE NAME` — e.g. `add stickers other 20 Sticker pack`; "
    "KIND is `swag_pack`, `event_swag`, `conference_ticket` or `other`\n"
    "• `/ambassador admin benefits set KEY FIELD VALUE` — FIELD is `name`, `value`, `limit` (a number or `none`), "
    "`shipping` / `event` (`yes`/`no`), `description` or `kind`; e.g. `set swag-pack value 160`\n"
    "• `/ambassador admin benefits disable KEY` / `enable KEY` — take a benefit off the menu or put it back "
    "(requests already made are kept)"
)


def catalogue_message(items: Sequence[Any], open_requests: Any) -> dict[str, Any]:
    lines = []
    for item in items:
        flags = []
        if item.needs_shipping:
            flags.append("shipping")
        if item.needs_event:
            flags.append("event")
        flags.append(f"{item.limit_per_term} per term" if item.limit_per_term else "no limit")
        state = "" if item.enabled else " · :no_entry_sign: disabled"
        lines.append(
            f"• `{item.key}` *{escape(item.name)}* — {KIND_LABELS.get(item.kind, item.kind)}, "
            f"{money(item.value, open_requests.currency)} · {', '.join(flags)}{state}"
        )
    text = "*Benefits catalogue*\n" + ("\n".join(lines) if lines else "Empty.")
    blocks: list[Block] = [section(truncate(text, MAX_SECTION_TEXT))]
    blocks.append(section(budget_text(open_requests.budget, open_requests.currency)))
    blocks.append(
        context(
            f"{open_requests.pending_total} request(s) to decide, {open_requests.approved_total} to fulfil: "
            "`/ambassador admin benefits requests`. `/ambassador admin benefits help` to change the catalogue."
        )
    )
    return message(f"Benefits catalogue: {len(items)} benefits.", blocks)


def open_requests_message(data: Any) -> dict[str, Any]:
    blocks = tsc_home_blocks(data)
    return message(
        f"Benefit requests: {data.pending_total} to decide, {data.approved_total} to fulfil.",
        blocks[:MAX_MESSAGE_BLOCKS],
    )


CATALOGUE_ERRORS = {
    "unknown_key": "There is no benefit `{key}`. `/ambassador admin benefits` lists them.",
    "key_taken": "There is already a benefit `{key}`; choose another key or `set` that one.",
}


def catalogue_error(code: str, key: str) -> str:
    return CATALOGUE_ERRORS.get(code, "That did not work: {key}").format(key=escape(key))


def added_text(item: Any, currency: str) -> str:
    return (
        f":white_check_mark: Added `{item.key}` *{escape(item.name)}* ({money(item.value, currency)}). "
        "Members can request it now; `set` changes its details."
    )


def changed_text(item: Any, field: str, before: object, after: object) -> str:
    return f":white_check_mark: `{item.key}`: {field} changed from `{before}` to `{after}`."


def enabled_text(item: Any) -> str:
    if item.enabled:
        return f":white_check_mark: `{item.key}` is on offer again."
    return f":no_entry_sign: `{item.key}` is no longer on offer. Requests already made are kept."


def field_usage(field: str) -> str:
    return f"That is not a valid {escape(field)}.\n\n{ADMIN_HELP}"


# --- the TSC report (renewals job) and the erasure ------------------------------------------------


def overdue_lines(items: Sequence[Any]) -> str:
    lines = [
        f"*Benefits approved but not fulfilled for {benefit_rules.FULFILMENT_OVERDUE_DAYS}+ days* ({len(items)})"
    ]
    for item in items:
        who = f"*{escape(item.member_name)}*" + (
            f" ({mention(item.slack_user_id)})" if item.slack_user_id else ""
        )
        line = f"• {who}: {escape(item.benefit_name)} (#{item.id}), approved by {mention(item.decided_by, 'the TSC')} {item.days} days ago"
        if len("\n".join([*lines, line])) > MAX_SECTION_TEXT - 100:
            lines.append(f"…and {len(items) - len(lines) + 1} more: `/ambassador admin benefits requests`.")
            break
        lines.append(line)
    return "\n".join(lines)


def with_overdue(payload: dict[str, Any], items: Sequence[Any]) -> dict[str, Any]:
    """The TSC report with the overdue fulfilments added at its end (unchanged when there are none)."""
    if not items:
        return payload
    blocks = list(payload.get("blocks") or [])[: MAX_MESSAGE_BLOCKS - 1]
    blocks.append(section(overdue_lines(items), block_id="benefits-overdue"))
    return message(f"{payload['text']} {len(items)} benefit request(s) waiting for fulfilment.", blocks)


def overdue_report_message(day: date, items: Sequence[Any]) -> dict[str, Any]:
    """The TSC report on a day with no term news: only the overdue fulfilments."""
    title = f"TSC report, {day.isoformat()}"
    summary = f"{len(items)} benefit request(s) waiting for fulfilment."
    return message(
        f"{title}: {summary}", [header(title), section(overdue_lines(items), block_id="benefits-overdue")]
    )


def erased_summary(count: int) -> str:
    return f"Erased the shipping details of {count} request{'s' if count != 1 else ''}."
