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


def test_a_title_starting_with_a_date_written_another_way_is_told_apart() -> None:
    cases = {
        "25/11/2025 AsyncAPI at KubeCon": ("25/11/2025", date(2025, 11, 25)),
        "11/25/2025 AsyncAPI": ("11/25/2025", date(2025, 11, 25)),
        "25.11.2025 AsyncAPI": ("25.11.2025", date(2025, 11, 25)),
        "2025/11/25 AsyncAPI": ("2025/11/25", date(2025, 11, 25)),
        "25-11-2025 AsyncAPI": ("25-11-2025", date(2025, 11, 25)),
        "Nov 25 2025 AsyncAPI": ("Nov 25 2025", date(2025, 11, 25)),
        "November 25, 2025 AsyncAPI": ("November 25, 2025", date(2025, 11, 25)),
        "25 Nov. 2025 AsyncAPI": ("25 Nov. 2025", date(2025, 11, 25)),
        "Nov 25th AsyncAPI": ("Nov 25th", None),
        "2025-11 AsyncAPI": ("2025-11", None),
        "11/2025 AsyncAPI": ("11/2025", None),
        "May 2025 meetup": ("May 2025", None),
        "05/06/2025 either day": ("05/06/2025", None),  # 5 June or 6 May: not guessed
        "25/11/25 short year": ("25/11/25", None),
        "31/02/2025 no such day": ("31/02/2025", None),
    }
    for title, (typed, meant) in cases.items():
        found = parsing.date_written_otherwise(title.split())
        assert found == parsing.DateWrittenOtherwise(typed, meant), title


def test_titles_that_only_look_numeric_are_titles() -> None:
    for title in (
        "3.0 is out",
        "2.6.0 release notes",
        "May the schema be with you",
        "10 tips",
        "AsyncAPI 2025",
    ):
        assert parsing.date_written_otherwise(title.split()) is None, title
    inline = parsing.parse_inline_log("talk https://youtu.be/abc 2025-11-25 May 2025 update")
    assert inline is not None and inline.date_otherwise is None and inline.title == "May 2025 update"
    refused = parsing.parse_inline_log("talk https://youtu.be/abc 25/11/2025 AsyncAPI at KubeCon")
    assert refused is not None and refused.date_otherwise == parsing.DateWrittenOtherwise(
        "25/11/2025", date(2025, 11, 25)
    )
