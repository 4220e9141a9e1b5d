"""The rules of impact and upcoming talks, and reading a contribution from a link or a message."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.rules import impact as impact_rules
from bot.rules import links
from bot.rules.impact import Field, Impact, ImpactProblem
from bot.rules.membership import Problem

TODAY = date(2026, 11, 24)


def test_only_the_fields_that_fit_a_type_are_asked() -> None:
    assert impact_rules.fields_for("talk") == (
        Field.EVENT_NAME,
        Field.PLACE,
        Field.LANGUAGE,
        Field.AUDIENCE,
        Field.RECORDING,
        Field.SLIDES,
    )
    assert impact_rules.fields_for("Blog post") == (Field.LANGUAGE, Field.AUDIENCE)  # an article
    assert impact_rules.fields_for("initiative_driver") == (Field.AUDIENCE,)
    assert impact_rules.fields_for("content_review") == ()
    assert impact_rules.fields_for("not a type") == ()
    assert impact_rules.audience_noun("workshop") == "attendees"
    assert impact_rules.audience_noun("video") == "views"
    assert impact_rules.audience_noun("podcast") == "listens"
    assert impact_rules.audience_noun("article") == "readers"
    assert impact_rules.audience_noun("special") == "people reached"


@pytest.mark.parametrize(
    ("type_", "day", "problem"),
    [
        ("talk", TODAY, None),
        ("article", date(2020, 1, 1), None),
        ("talk", date(2027, 11, 24), None),  # exactly twelve months ahead
        ("workshop", date(2027, 3, 1), None),
        ("presentation", date(2027, 3, 1), None),
        ("talk", date(2027, 11, 25), Problem.TOO_FAR_AHEAD),
        ("article", date(2026, 11, 25), Problem.FUTURE_DATE),
        ("video", date(2027, 1, 1), Problem.FUTURE_DATE),
    ],
)
def test_talks_and_workshops_may_be_logged_up_to_twelve_months_ahead(
    type_: str, day: date, problem: Problem | None
) -> None:
    assert impact_rules.date_problem(type_, day, TODAY) is problem


def test_an_upcoming_talk_counts_from_its_day_on() -> None:
    day = date(2026, 12, 5)
    assert impact_rules.is_upcoming(day, TODAY)
    assert not impact_rules.counts_by(day, TODAY)
    assert impact_rules.counts_by(day, day)
    assert not impact_rules.is_upcoming(day, day)


@pytest.mark.parametrize(
    ("type_", "logged_on", "today", "has_outcome", "due"),
    [
        ("talk", date(2026, 11, 1), date(2026, 12, 6), False, True),  # the day after
        ("workshop", date(2026, 11, 1), date(2026, 12, 12), False, True),  # a week late, still asked
        ("talk", date(2026, 11, 1), date(2026, 12, 13), False, False),  # too late to ask
        ("talk", date(2026, 11, 1), date(2026, 12, 5), False, False),  # its own day: not over yet
        ("talk", date(2026, 12, 5), date(2026, 12, 6), False, False),  # logged once it happened
        ("talk", date(2026, 12, 7), date(2026, 12, 8), False, False),  # logged after it
        ("talk", date(2026, 11, 1), date(2026, 12, 6), True, False),  # already told what it reached
        ("article", date(2026, 11, 1), date(2026, 12, 6), False, False),
    ],
)
def test_the_speaker_is_asked_once_the_talk_is_over(
    type_: str, logged_on: date, today: date, has_outcome: bool, due: bool
) -> None:
    talk_day = date(2026, 12, 5)
    assert impact_rules.followup_due(type_, talk_day, logged_on, today, has_outcome=has_outcome) is due


def test_impact_keeps_what_fits_the_type_and_names_each_problem() -> None:
    given = Impact(
        event_name="  KubeCon  ",
        city="Paris",
        country="France",
        online=True,
        language=" ",
        reach=300,
        recording_link="https://youtu.be/x",
        slides_link="https://speakerdeck.com/x",
    )
    assert given.for_type("talk") == Impact(
        "KubeCon", "Paris", "France", True, None, 300, "https://youtu.be/x", "https://speakerdeck.com/x"
    )
    assert given.for_type("article") == Impact(reach=300)
    assert given.for_type("content_review") == Impact()
    assert Impact(event_name=" ", language="").is_empty
    problems = Impact(
        event_name="E" * 201,
        city="Pa\x00ris",
        language="English",
        recording_link="ftp://x",
        slides_link="https://x.org/" + "s" * 1000,
        reach=10**10,
    ).problems()
    assert problems == {
        "event_name": ImpactProblem.TOO_LONG,
        "city": ImpactProblem.CONTROL_CHARACTERS,
        "recording_link": ImpactProblem.BAD_LINK,
        "slides_link": ImpactProblem.TOO_LONG,
        "reach": ImpactProblem.TOO_LARGE,
    }


def test_a_place_reads_naturally_and_figures_add_up() -> None:
    assert impact_rules.place(Impact(city="Madrid", country="Spain")) == "Madrid, Spain"
    assert impact_rules.place(Impact(online=True)) == "online"
    assert impact_rules.place(Impact(country="Peru", online=True)) == "Peru and online"
    assert impact_rules.place(Impact()) == ""
    figures = impact_rules.figures(
        [
            Impact(event_name="A", country="Spain", reach=100, recording_link="https://x.org/r"),
            Impact(event_name="B", country="Peru", online=True, reach=50),
            Impact(country="Spain"),
            Impact(),
        ]
    )
    assert (figures.audience, figures.with_audience, figures.events) == (150, 2, 2)
    assert (figures.countries, figures.online, figures.recordings) == (("Peru", "Spain"), 1, 1)
    assert impact_rules.figures([]).is_empty


# --- links ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "og_type", "kind"),
    [
        ("https://www.youtube.com/watch?v=abc", None, "video"),
        ("https://youtu.be/abc", "article", "video"),  # the host wins
        ("https://vimeo.com/1", None, "video"),
        ("https://podcasts.apple.com/us/podcast/x/id1", None, "podcast"),
        ("https://open.spotify.com/episode/123", None, "podcast"),
        ("https://open.spotify.com/track/123", "music.song", None),
        ("https://speakerdeck.com/jane/asyncapi", None, "presentation"),
        ("https://dev.to/jane/eda", "article", "article"),
        ("https://example.org/live", "video.other", "video"),
        ("https://example.org/", "website", None),
        ("https://notyoutube.com/x", None, None),
    ],
)
def test_the_kind_of_a_page_comes_from_its_host_then_its_og_type(
    url: str, og_type: str | None, kind: str | None
) -> None:
    assert links.kind_of(url, og_type) == kind


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:10.0.0.1", False),
        ("2002:0a00:0001::1", False),  # 6to4 around 10.0.0.1
        ("not an address", False),
    ],
)
def test_only_public_addresses_are_fetched(address: str, public: bool) -> None:
    assert links.is_public_address(address) is public


def test_a_shared_message_gives_its_link_and_a_title() -> None:
    guess = links.guess_from_message(
        "Check out my new post: <https://dev.to/jane/eda|Event-driven APIs &amp; you>"
    )
    assert guess == links.MessageGuess("https://dev.to/jane/eda", "Event-driven APIs & you")
    guess = links.guess_from_message("I spoke at KubeCon today! :tada:\n<https://youtu.be/abc>\nThanks all")
    assert guess == links.MessageGuess("https://youtu.be/abc", "I spoke at KubeCon today! :tada:")
    guess = links.guess_from_message("<https://example.org/a>")
    assert guess == links.MessageGuess("https://example.org/a", "")
    assert links.guess_from_message("no link here, <@U0123|jane>") == links.MessageGuess(
        "", "no link here, @jane"
    )
    assert links.guess_from_message("<mailto:jane@example.org|mail me>").link == ""
    assert len(links.guess_from_message("x" * 500 + " <https://x.org>").title) == 200


def test_page_titles_are_one_clean_line() -> None:
    assert links.clean_title("  AsyncAPI\n at   KubeCon \x07") == "AsyncAPI at KubeCon"
    assert links.clean_title("") is None
    assert links.clean_title("\x00") is None
    assert links.clean_title("T" * 300) == "T" * 199 + "…"


def test_a_message_is_dated_in_the_given_zone() -> None:
    ts = "1764025200.000100"  # 2025-11-24 23:00 UTC
    assert links.message_day(ts, ZoneInfo("UTC")) == date(2025, 11, 24)
    assert links.message_day(ts, ZoneInfo("Europe/Madrid")) == date(2025, 11, 25)
    assert links.message_day("", ZoneInfo("UTC")) is None
    assert links.message_day("garbage", ZoneInfo("UTC")) is None
