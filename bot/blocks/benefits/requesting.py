"""`/ambassador benefits` and the request form: what a member sees when asking for a benefit.

Shipping details appear only to the member who typed them and, later, to the TSC in `review.shipping_modal`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from bot.blocks import ids
from bot.blocks.benefits.common import NOTE_HINT, PRIVACY_NOTE, STATUS_TEXT, value_text
from bot.blocks.kit import (
    MAX_MESSAGE_BLOCKS,
    Block,
    actions,
    button,
    confirm_dialog,
    context,
    divider,
    escape,
    header,
    link,
    message,
    modal,
    plain,
    section,
    slack_date,
    truncate,
)
from bot.rules import benefits as benefit_rules
from bot.rules.benefits import FieldProblem, RequestRefusal, RequestStatus

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
        blocks.append(section(event_text(view)))
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


def event_text(view: Any) -> str:
    parts = [f"*Event* {link(view.event_link or '', view.event_name or 'an event')}"]
    if view.event_date:
        parts.append(f"on {view.event_date.isoformat()}")
    if view.participants:
        parts.append(f"· {view.participants:,} participants expected")
    return " ".join(parts)
