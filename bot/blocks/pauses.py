"""Pausing a membership: the answers to `/ambassador pause` and `resume`, the Home's form, the line shown
on the Home and in `list`, and the DMs (paused or resumed by a TSC member, the return a week ahead)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.blocks import ids, kit
from bot.rules import pauses as pause_rules
from bot.rules.pauses import PauseRefusal
from bot.services.pauses import PauseResult, PauseView, ResumeResult

DEFAULT_PAUSE_DAYS = 30


def usage(max_days: int) -> str:
    return (
        f"Usage: `{ids.COMMAND} pause until YYYY-MM-DD [reason]` pauses your membership (at most {max_days} "
        f"days at a time): progress reminders and inactivity notices stop. `{ids.COMMAND} resume` ends it "
        f"early. To mute only the progress reminders, `{ids.COMMAND} snooze 30d`."
    )


def not_understood(typed: str, max_days: int) -> str:
    return f":x: I could not read a return date in `{kit.escape(typed)}`.\n\n{usage(max_days)}"


NOT_AMBASSADOR = "Only current ambassadors can pause their membership; you have no current term to pause."
NOT_PAUSED = f"Your membership is not paused, so there is nothing to resume. `{ids.COMMAND} pause until YYYY-MM-DD` pauses it."


def term_moved(view: PauseView) -> str:
    if not view.term_end:
        return ""
    if view.term_days:
        return f" Your term now ends on {view.term_end.isoformat()} (moved by the pause's {view.term_days} days)."
    return f" Your term still ends on {view.term_end.isoformat()}."


def refusal_text(refusal: PauseRefusal, latest: date | None, max_days: int) -> str:
    if refusal is PauseRefusal.NOT_AFTER_TODAY:
        return "The return date must be after today."
    until = f" (so the latest return date is {latest.isoformat()})" if latest else ""
    return f"A pause lasts at most {max_days} days at a time{until}."


def pause_reply(result: PauseResult, max_days: int) -> str:
    """The answer to a member pausing their own membership."""
    if result.status == "not_ambassador":
        return NOT_AMBASSADOR
    if result.status == "refused":
        assert result.refusal is not None
        return f":x: {refusal_text(result.refusal, result.latest_return, max_days)} Nothing was changed."
    view = result.pause
    assert view is not None
    until = view.until.isoformat()
    if result.status == "unchanged":
        return f"Your membership is already paused until {until}. Nothing was changed."
    if result.status == "changed":
        before = result.previous_until.isoformat() if result.previous_until else "?"
        head = f":pause_button: Your pause now ends on {until} (it was {before})."
    else:
        head = f":pause_button: Your membership is paused until {until}."
    return (
        head
        + " Progress reminders and inactivity notices stop meanwhile; renewal messages still come."
        + term_moved(view)
        + f" `{ids.COMMAND} resume` ends it early."
    )


def admin_pause_reply(result: PauseResult, who: str, max_days: int) -> str:
    """The answer to a TSC member pausing someone (`admin pause`)."""
    person = kit.mention(who)
    if result.status == "not_ambassador":
        return f"{person} is not a current ambassador. Nothing was changed."
    if result.status == "refused":
        assert result.refusal is not None
        return f":x: {refusal_text(result.refusal, result.latest_return, max_days)} Nothing was changed."
    view = result.pause
    assert view is not None
    if result.status == "unchanged":
        return f"{person} is already paused until {view.until.isoformat()}. Nothing was changed."
    ends = f" Their term ends on {view.term_end.isoformat()}." if view.term_end else ""
    return f":pause_button: {person} is paused until {view.until.isoformat()}; they have been told.{ends}"


def resume_reply(result: ResumeResult) -> str:
    if result.status == "not_ambassador":
        return NOT_AMBASSADOR
    if result.status == "not_paused":
        return NOT_PAUSED
    assert result.pause is not None
    return ":arrow_forward: Welcome back! Your pause is over." + term_moved(result.pause)


def admin_resume_reply(result: ResumeResult, who: str) -> str:
    person = kit.mention(who)
    if result.status == "not_ambassador":
        return f"{person} is not a current ambassador. Nothing was changed."
    if result.status == "not_paused":
        return f"{person} is not paused. Nothing was changed."
    assert result.pause is not None
    ends = f" Their term ends on {result.pause.term_end.isoformat()}." if result.pause.term_end else ""
    return f":arrow_forward: {person} is back from their pause today; they have been told.{ends}"


def paused_line(view: PauseView) -> str:
    """For the Home: where the pause stands."""
    reason = f" ({kit.escape(kit.truncate(view.reason, 200))})" if view.reason else ""
    return (
        f":pause_button: *Membership paused* until {view.until.isoformat()}{reason}: progress reminders and "
        "inactivity notices stop meanwhile."
        + (f" Your term's end moved by {view.term_days} days." if view.term_days else "")
    )


def pause_modal(today: date, max_days: int, private_metadata: str = "") -> dict[str, Any]:
    initial = today + timedelta(days=min(DEFAULT_PAUSE_DAYS, max_days))
    blocks: list[kit.Block] = [
        kit.section(
            "Taking a break? While your membership is paused, progress reminders and inactivity notices "
            f"stop, and your term's end moves by the pause's length. At most {max_days} days at a time; "
            f"you can come back earlier with `{ids.COMMAND} resume`."
        ),
        {
            "type": "input",
            "block_id": "until",
            "label": kit.plain("Back on"),
            "element": {"type": "datepicker", "action_id": "value", "initial_date": initial.isoformat()},
        },
        {
            "type": "input",
            "block_id": "reason",
            "optional": True,
            "label": kit.plain("Reason (optional, seen by the TSC)"),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "max_length": pause_rules.PAUSE_REASON_MAX_LENGTH,
            },
        },
    ]
    return kit.modal(
        ids.PAUSE_MODAL, "Pause membership", blocks, submit="Pause", private_metadata=private_metadata
    )


DATE_REQUIRED = "Please pick the day you will be back."
REASON_TOO_LONG = f"Please keep the reason under {pause_rules.PAUSE_REASON_MAX_LENGTH} characters."


def return_notice(view: PauseView, max_days: int) -> dict[str, Any]:
    """A week before the return date."""
    text = (
        f":wave: Your pause ends on *{view.until.isoformat()}*: welcome back soon! Progress reminders start "
        f"again then." + term_moved(view) + f" Need longer? `{ids.COMMAND} pause until YYYY-MM-DD` (at most "
        f"{max_days} days in all). Back already? `{ids.COMMAND} resume`."
    )
    return kit.message(text, [kit.section(text)])


class PauseMessages:
    """bot.services.pauses.Messages."""

    def paused_by_tsc(self, pause: PauseView) -> dict[str, Any]:
        reason = f" Their note:\n>{kit.escape(pause.reason)}\n" if pause.reason else ""
        text = (
            f":pause_button: {kit.mention(pause.paused_by, 'A TSC member')} paused your ambassador membership "
            f"until *{pause.until.isoformat()}*.{reason} Progress reminders and inactivity notices stop "
            f"meanwhile." + term_moved(pause) + f" `{ids.COMMAND} resume` ends the pause early."
        )
        return kit.message(text, [kit.section(text)])

    def resumed_by_tsc(self, pause: PauseView) -> dict[str, Any]:
        text = (
            ":arrow_forward: A TSC member ended the pause of your ambassador membership today: welcome back!"
            + term_moved(pause)
        )
        return kit.message(text, [kit.section(text)])


PAUSE_MESSAGES = PauseMessages()
