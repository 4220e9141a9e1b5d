"""Parsing what members type."""

from __future__ import annotations

from datetime import date

from bot.rules import parsing


def test_inline_log_with_and_without_a_date() -> None:
    parsed = parsing.parse_inline_log("talk https://youtu.be/abc 2026-11-20 AsyncAPI at KubeCon")
    assert parsed == parsing.InlineLog("talk", "https://youtu.be/abc", "2026-11-20", "AsyncAPI at KubeCon")
    parsed = parsing.parse_inline_log("blog <https://x.org/p|x.org/p> My   post")
    assert parsed == parsing.InlineLog("blog", "https://x.org/p", None, "My post")
    assert parsing.parse_inline_log("talk https://youtu.be/abc") is None


def test_dates() -> None:
    assert parsing.parse_iso_date("2026-11-20") == date(2026, 11, 20)
    assert parsing.parse_iso_date("2026-2-3") == date(2026, 2, 3)
    assert parsing.parse_iso_date("2026-02-30") is None
    assert parsing.parse_iso_date("yesterday") is None


def test_mentions_only_from_slacks_escaped_form() -> None:
    assert parsing.user_mention("<@U123ABC|jane>") == "U123ABC"
    assert parsing.user_mention("<@W123ABC>") == "W123ABC"
    assert parsing.user_mention("@jane") is None
    assert parsing.user_mention("U123ABC") is None


def test_state_values_by_element_type() -> None:
    state = {
        "type": {"value": {"type": "static_select", "selected_option": {"value": "talk"}}},
        "date": {"value": {"type": "datepicker", "selected_date": "2026-05-14"}},
        "title": {"value": {"type": "plain_text_input", "value": "Hi"}},
        "empty": {"value": {"type": "static_select", "selected_option": None}},
    }
    assert parsing.state_value(state, "type") == "talk"
    assert parsing.state_value(state, "date") == "2026-05-14"
    assert parsing.state_value(state, "title") == "Hi"
    assert parsing.state_value(state, "empty") is None
    assert parsing.state_value(state, "missing") is None
