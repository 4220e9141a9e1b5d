"""The TSC's side of benefits outside the review: the Home section, the catalogue commands, the overdue
lines of the TSC report and the erasure summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks import ids
from bot.blocks.benefits.common import KIND_LABELS, money, value_text
from bot.blocks.benefits.review import budget_text
from bot.blocks.kit import (
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
    Block,
    actions,
    button,
    context,
    escape,
    header,
    mention,
    message,
    section,
    slack_date,
    truncate,
)
from bot.rules import benefits as benefit_rules
from bot.rules.benefits import RequestStatus

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
