"""Renewal notices before the end of a term, the verification DM after it, and the TSC's report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.blocks import ids, kit
from bot.blocks import impact as impact_blocks
from bot.blocks import review as review_blocks
from bot.rules import membership as membership_rules
from bot.rules.impact import ImpactFigures


def renewal_notice_message(
    current: membership_rules.Progress, term_id: int, can_renew: bool
) -> dict[str, Any]:
    """Before the end of a term: met → a Renew button; not met → how many are missing."""
    end = current.term.end.isoformat()
    when = f"Your ambassador term ends on *{end}* ({kit.days_phrase(current.days_left)})."
    if current.met:
        text = (
            f":tada: {when} You made {kit.tally(current.counted, current.required)}, "
            "so you can stay an ambassador for another year."
        )
        if can_renew:
            return kit.message(
                text + " Press *Renew* to continue.",
                [
                    kit.section(text),
                    kit.actions(
                        kit.button("Renew for another year", ids.RENEW, value=str(term_id), style="primary")
                    ),
                    kit.context(f"Or type `{ids.COMMAND} renew`."),
                ],
            )
        days = membership_rules.RENEWAL_WINDOW_DAYS
        text += f" Renewal opens {days} days before the end; I will remind you."
        return kit.message(text, [kit.section(text)])
    missing = current.remaining
    text = (
        f":hourglass_flowing_sand: {when} You have *{kit.tally(current.counted, current.required)}*: "
        f"*{missing} more* {'is' if missing == 1 else 'are'} needed to stay an ambassador. "
        "Anything you did this term counts, so log what you have not logged yet."
    )
    return kit.message(
        text,
        [kit.section(text), kit.actions(kit.button("Log a contribution", ids.LOG_OPEN, style="primary"))],
    )


def verification_message(
    outcome: str,
    current: membership_rules.Progress,
    term_id: int,
    next_term: Any | None,
    renew_by: date,
    waiting: int = 0,
) -> dict[str, Any]:
    """The DM after the yearly verification: renewed, or may still renew (becoming emeritus is told by
    the thank-you of `bot.blocks.emeritus`, whichever way someone leaves).

    `next_term` (RENEWED) has `start` and `end`; `renew_by` is the last day of the renewal grace;
    `waiting`: the term's contributions still waiting for the TSC's review, said when there are any.
    """
    still = review_blocks.still_waiting(waiting)
    aside = f" ({still}.)" if still else ""
    end = current.term.end.isoformat()
    counted = kit.tally(current.counted, current.required)
    if outcome == membership_rules.Verification.RENEWED:
        term = f" from {next_term.start.isoformat()} to {next_term.end.isoformat()}" if next_term else ""
        text = (
            f":tada: Your ambassador term ended on {end} with {counted}, and you are renewed "
            f"for another year{term}.{aside} Thank you for everything you do for the community!"
        )
    elif outcome == membership_rules.Verification.MET:
        text = (
            f":white_check_mark: Your ambassador term ended on {end} and you met the requirement "
            f"({counted}).{aside} To stay on for another year, renew by *{renew_by.isoformat()}*."
        )
        return kit.message(
            text,
            [
                kit.section(text),
                kit.actions(
                    kit.button("Renew for another year", ids.RENEW, value=str(term_id), style="primary")
                ),
                kit.context(f"Or type `{ids.COMMAND} renew`."),
            ],
        )
    return kit.message(text, [kit.section(text)])


def _tally(item: Any) -> str:
    return kit.tally(item.progress.counted, item.progress.required)


def _waiting(item: Any) -> str:
    still = review_blocks.still_waiting(getattr(item, "waiting_review", 0))
    return f", {still}" if still else ""


def _person(item: Any) -> str:
    who = f"*{kit.escape(item.name)}*"
    return f"{who} ({kit.mention(item.slack_user_id)})" if item.slack_user_id else who


def verification_report_message(
    day: date,
    renewed: Sequence[Any],
    pending: Sequence[Any],
    lapsed: Sequence[Any],
    renew_by: Any,
    to_decide: Sequence[Any] = (),
    *,
    reached: Mapping[int, ImpactFigures] | None = None,
) -> dict[str, Any]:
    """One message to the TSC per verification run: renewed, pending renewal and lapsed members, and
    those proposed for emeritus (VERIFICATION_DECIDES=tsc; their buttons are in a message of their own).

    Each item has `term_id`, `name`, `slack_user_id`, `outcome`, `progress` and, renewed, `next_term`;
    `renew_by(item)` is the last day a pending member may still renew; `reached` says what each term's
    contributions reached (by term id), shown after the count.
    """
    figures = reached or {}

    def impact(item: Any) -> str:
        text = impact_blocks.figures_text(figures.get(getattr(item, "term_id", -1), ImpactFigures()))
        return f" · {text}" if text else ""

    title = f"Term verification, {day.isoformat()}"
    summary = f"{len(renewed)} renewed, {len(pending)} pending renewal, {len(lapsed)} lapsed (now emeritus)"
    summary += f", {len(to_decide)} for the TSC to decide." if to_decide else "."
    sections: list[tuple[str, list[str]]] = [
        (
            "Renewed",
            [
                f"• {_person(item)} — {_tally(item)}"
                + (f", next term to {item.next_term.end.isoformat()}" if item.next_term else "")
                + impact(item)
                for item in renewed
            ],
        ),
        (
            "Met the requirement, renewal not requested yet",
            [
                f"• {_person(item)} — {_tally(item)}, may renew until {renew_by(item).isoformat()}"
                + impact(item)
                for item in pending
            ],
        ),
        (
            "Lapsed, now emeritus",
            [
                f"• {_person(item)} — {_tally(item)}"
                + (
                    " (met, but did not renew)"
                    if item.outcome == membership_rules.Verification.NOT_RENEWED
                    else _waiting(item)
                )
                + impact(item)
                for item in lapsed
            ],
        ),
        (
            "Would lapse: the TSC decides (buttons below; they stay ambassadors until then)",
            [
                f"• {_person(item)} — {item.progress.counted}/{item.progress.required}"
                + (
                    " (met, but did not renew)"
                    if item.outcome == membership_rules.Verification.NOT_RENEWED
                    else _waiting(item)
                )
                + impact(item)
                for item in to_decide
            ],
        ),
    ]
    blocks: list[kit.Block] = [kit.header(title), kit.section(summary)]
    for label, lines in sections:
        if not lines:
            continue
        chunk: list[str] = [f"*{label}* ({len(lines)})"]
        for line in lines:
            if len("\n".join([*chunk, line])) > kit.MAX_SECTION_TEXT:
                blocks.append(kit.section("\n".join(chunk)))
                chunk = []
            chunk.append(line)
        blocks.append(kit.section("\n".join(chunk)))
    if len(blocks) > kit.MAX_MESSAGE_BLOCKS:
        blocks = [*blocks[: kit.MAX_MESSAGE_BLOCKS - 1], kit.context("…more in the audit trail.")]
    return kit.message(f"{title}: {summary}", blocks)
