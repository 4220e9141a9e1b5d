"""Pausing a membership on plain dates (bot/rules/pauses.py), reading `/ambassador pause` text, and its
messages within Slack's limits."""

from __future__ import annotations

from datetime import date

import pytest

from bot.blocks import ids
from bot.blocks import pauses as pause_blocks
from bot.rules import pauses as pause_rules
from bot.rules.pauses import Pause, PauseRefusal
from bot.services.pauses import PauseResult, PauseStatus, PauseView, ResumeResult, ResumeStatus
from tests.fakes.slack import check_message, check_view

TODAY = date(2026, 3, 1)


def test_a_pause_runs_from_its_first_day_to_the_day_before_the_return() -> None:
    pause = Pause(TODAY, date(2026, 4, 1))
    assert pause.length_days == 31
    assert pause.covers(TODAY) and pause.covers(date(2026, 3, 31))
    assert not pause.covers(date(2026, 4, 1)) and not pause.covers(date(2026, 2, 28))


@pytest.mark.parametrize(
    ("until", "refusal"),
    [
        (TODAY, PauseRefusal.NOT_AFTER_TODAY),
        (date(2026, 2, 1), PauseRefusal.NOT_AFTER_TODAY),
        (date(2026, 3, 2), None),
        (date(2026, 8, 31), None),  # 183 days: about six months
        (date(2026, 9, 1), PauseRefusal.TOO_LONG),
    ],
)
def test_at_most_pause_max_days_at_a_time(until: date, refusal: PauseRefusal | None) -> None:
    assert pause_rules.pause_refusal(Pause(TODAY, until), TODAY) is refusal
    assert pause_rules.latest_return(TODAY) == date(2026, 8, 31)


def test_a_new_return_date_counts_from_the_pause_s_first_day() -> None:
    # Paused on 1 March; on 1 July the member asks to come back on 15 September: 198 days in all.
    longer = Pause(TODAY, date(2026, 9, 15))
    assert pause_rules.pause_refusal(longer, date(2026, 7, 1)) is PauseRefusal.TOO_LONG
    assert pause_rules.pause_refusal(longer, date(2026, 7, 1), max_days=200) is None


def test_the_term_moves_by_the_pause_s_length_unless_pauses_do_not_extend() -> None:
    pause = Pause(TODAY, date(2026, 4, 1))
    assert pause_rules.term_days(pause, extends_term=True) == 31
    assert pause_rules.term_days(pause, extends_term=False) == 0


def test_coming_back_early_gives_back_the_days_not_used() -> None:
    pause = Pause(TODAY, date(2026, 4, 1))
    assert pause_rules.resumed_on(pause, date(2026, 3, 11)) == Pause(TODAY, date(2026, 3, 11))
    assert pause_rules.resumed_on(pause, TODAY).length_days == 0  # the same day: no days at all
    assert pause_rules.resumed_on(pause, date(2026, 5, 1)) == pause  # already over: unchanged
    assert pause_rules.is_early(pause, date(2026, 3, 31)) and not pause_rules.is_early(
        pause, date(2026, 4, 1)
    )


def test_the_return_is_announced_a_week_ahead_and_caught_up_after_downtime() -> None:
    pause = Pause(TODAY, date(2026, 4, 1))
    assert pause_rules.return_notice_on(pause) == date(2026, 3, 25)
    assert not pause_rules.return_notice_due(pause, date(2026, 3, 24))
    assert pause_rules.return_notice_due(pause, date(2026, 3, 25))
    assert pause_rules.return_notice_due(pause, date(2026, 3, 31))  # missed days: still due
    assert not pause_rules.return_notice_due(pause, date(2026, 4, 1))
    short = Pause(TODAY, date(2026, 3, 4))  # shorter than a week: told on its first day
    assert pause_rules.return_notice_due(short, TODAY)


@pytest.mark.parametrize(
    ("typed", "until", "reason"),
    [
        ("until 2026-06-01 parental leave", date(2026, 6, 1), "parental leave"),
        ("UNTIL 2026-6-1", date(2026, 6, 1), None),
        ("2026-06-01 exams", date(2026, 6, 1), "exams"),
        ("until", None, None),
        ("", None, None),
        ("until June", None, None),
        ("until 2026-02-30 x", None, "x"),
    ],
)
def test_reading_pause_until_date_reason(typed: str, until: date | None, reason: str | None) -> None:
    assert pause_rules.parse_pause(typed) == pause_rules.PauseCommand(until, reason)


def view(*, term_days: int = 31, reason: str | None = "Parental leave <3 & more") -> PauseView:
    return PauseView(
        7, 1, "U0MEMBER", "Jane", TODAY, date(2026, 4, 1), reason, "U0TSC", term_days, date(2027, 4, 1), None
    )


def test_the_answers_say_what_a_pause_does_and_how_to_end_it() -> None:
    paused = pause_blocks.pause_reply(PauseResult(PauseStatus.PAUSED, view()), 183)
    assert paused.startswith(":pause_button: Your membership is paused until 2026-04-01.")
    assert "Your term now ends on 2027-04-01 (moved by the pause's 31 days)" in paused
    assert "`/ambassador resume` ends it early" in paused
    changed = pause_blocks.pause_reply(
        PauseResult(PauseStatus.CHANGED, view(), previous_until=date(2026, 3, 20)), 183
    )
    assert "Your pause now ends on 2026-04-01 (it was 2026-03-20)" in changed
    refused = pause_blocks.pause_reply(
        PauseResult(PauseStatus.REFUSED, refusal=PauseRefusal.TOO_LONG, latest_return=date(2026, 8, 31)), 183
    )
    assert refused == (
        ":x: A pause lasts at most 183 days at a time (so the latest return date is 2026-08-31). "
        "Nothing was changed."
    )
    assert pause_blocks.resume_reply(ResumeResult(ResumeStatus.NOT_PAUSED)) == pause_blocks.NOT_PAUSED
    assert "snooze 30d" in pause_blocks.usage(183)


def test_the_messages_and_the_form_are_valid_and_escape_what_was_typed() -> None:
    messages = pause_blocks.PAUSE_MESSAGES
    for payload in (
        messages.paused_by_tsc(view()),
        messages.resumed_by_tsc(view()),
        pause_blocks.return_notice(view(term_days=0, reason=None), 183),
    ):
        check_message(payload)
    assert "&lt;3 &amp; more" in messages.paused_by_tsc(view())["text"]
    assert "&lt;3 &amp; more" in pause_blocks.paused_line(view())
    modal = pause_blocks.pause_modal(TODAY, 183, '{"channel_id": "D1"}')
    check_view(modal, "modal")
    assert modal["callback_id"] == ids.PAUSE_MODAL
    assert modal["blocks"][1]["element"]["initial_date"] == "2026-03-31"
