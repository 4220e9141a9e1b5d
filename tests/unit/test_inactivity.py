"""Inactivity, with notice, on plain dates (bot/rules/inactivity.py), and its messages within Slack's limits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.blocks import ids
from bot.blocks import inactivity as inactivity_blocks
from bot.rules import inactivity as inactivity_rules
from bot.rules import membership as membership_rules
from bot.rules.inactivity import Step, Thresholds
from bot.services.inactivity import DueStep
from bot.services.pauses import PauseView
from tests.fakes.slack import check_message

START = date(2026, 1, 1)
DEFAULT = Thresholds()


def day(n: int) -> date:
    return START + timedelta(days=n)


def test_a_stretch_starts_at_the_latest_of_contribution_membership_and_pause() -> None:
    assert inactivity_rules.stretch_start(day(10), START, None) == day(10)
    assert inactivity_rules.stretch_start(None, START, None) == START
    assert inactivity_rules.stretch_start(day(10), START, day(40)) == day(40)  # back from a pause
    assert inactivity_rules.stretch_start(date(2025, 6, 1), START, None) == START  # joined after it


@pytest.mark.parametrize(
    ("today", "step"),
    [(55, None), (56, Step.NUDGE), (90, Step.NUDGE), (200, Step.NUDGE)],
)
def test_the_dm_after_8_weeks(today: int, step: Step | None) -> None:
    assert inactivity_rules.next_step(START, day(today), {}, DEFAULT) is step


def test_each_step_once_in_order_on_time() -> None:
    nudged = {Step.NUDGE: day(56)}
    assert inactivity_rules.next_step(START, day(89), nudged, DEFAULT) is None
    assert inactivity_rules.next_step(START, day(90), nudged, DEFAULT) is Step.REPORT
    reported = {**nudged, Step.REPORT: day(90)}
    assert inactivity_rules.next_step(START, day(179), reported, DEFAULT) is None
    assert inactivity_rules.next_step(START, day(180), reported, DEFAULT) is Step.PROPOSE
    done = {**reported, Step.PROPOSE: day(180)}
    assert inactivity_rules.next_step(START, day(400), done, DEFAULT) is None


def test_found_late_the_steps_keep_their_spacing() -> None:
    # First seen 200 days inactive (an import, a long downtime): DM now, report 34 days later,
    # proposal 90 days after that. Never proposed without notice.
    nudged = {Step.NUDGE: day(200)}
    assert inactivity_rules.next_step(START, day(233), nudged, DEFAULT) is None
    assert inactivity_rules.next_step(START, day(234), nudged, DEFAULT) is Step.REPORT
    reported = {**nudged, Step.REPORT: day(234)}
    assert inactivity_rules.next_step(START, day(323), reported, DEFAULT) is None
    assert inactivity_rules.next_step(START, day(324), reported, DEFAULT) is Step.PROPOSE


def test_nothing_while_paused_and_steps_can_be_turned_off() -> None:
    assert inactivity_rules.next_step(START, day(200), {}, DEFAULT, paused=True) is None
    no_dm = Thresholds(nudge_days=0)
    assert inactivity_rules.next_step(START, day(89), {}, no_dm) is None
    assert inactivity_rules.next_step(START, day(90), {}, no_dm) is Step.REPORT
    assert inactivity_rules.next_step(START, day(500), {}, Thresholds(0, 0, 0)) is None
    assert Thresholds(0, 0, 0).first is None and no_dm.first == 90


def test_thresholds_must_come_in_order() -> None:
    assert inactivity_rules.in_order(DEFAULT)
    assert inactivity_rules.in_order(Thresholds(0, 30, 0))
    assert not inactivity_rules.in_order(Thresholds(90, 90, 180))
    assert not inactivity_rules.in_order(Thresholds(100, 90, 180))


def step(days: int = 60, last: date | None = date(2026, 1, 5), name: str = "Jane <Doe>") -> DueStep:
    return DueStep(1, "U0MEMBER", name, last or START, last, days, Step.NUDGE)


def test_the_dm_says_what_counts_and_has_a_log_button() -> None:
    payload = inactivity_blocks.nudge_message(step())
    check_message(payload)
    assert "8 weeks since we last heard" in payload["text"]
    assert "your last contribution on record is from 2026-01-05" in payload["text"]
    assert "Articles, talks" in payload["text"]
    assert payload["blocks"][1]["elements"][0]["action_id"] == ids.LOG_OPEN
    assert "there is no contribution on record" in inactivity_blocks.nudge_message(step(last=None))["text"]


def test_with_a_pace_reminder_due_the_same_day_the_two_are_one_message() -> None:
    term = membership_rules.first_term(date(2025, 11, 1))
    current = membership_rules.Progress(term, date(2026, 3, 2), 0, 4)
    payload = inactivity_blocks.nudge_with_reminder(current, step())
    check_message(payload)
    assert payload["text"].startswith(":wave: A friendly nudge about your ambassador term")
    assert "8 weeks since we last heard" in payload["text"]
    actions = [b for b in payload["blocks"] if b["type"] == "actions"]
    assert len(actions) == 1  # one Log button, one Snooze button: not two sets


def test_the_tsc_report_escapes_names_and_stays_within_limits() -> None:
    returning = [
        PauseView(n, n, f"U{n:07d}", f"Back {n}", START, day(40), "Exams & <b>", "U1", 40, None, None)
        for n in range(300)
    ]
    inactive = [DueStep(n, None, f"Quiet <{n}>", START, None, 95, Step.REPORT) for n in range(300)]
    payload = inactivity_blocks.activity_report(day(35), returning, inactive, 3)
    check_message(payload)
    assert payload["text"].startswith(
        "Between renewals, 2026-02-05: 300 back from a pause within a week; 300 inactive for a long "
        "while; 3 proposed for emeritus"
    )
    body = str(payload["blocks"])
    assert (
        "Exams &amp; &lt;b&gt;" in body and "*Quiet &lt;0&gt;* — 95 days; no contribution on record" in body
    )
