"""The sample request bodies of tests/data/slack/, sent byte for byte, signed, to the real endpoint."""

from __future__ import annotations

from datetime import date

from tests.conftest import Bot
from tests.helpers.factories import enrol
from tests.paths import DATA

SAMPLES = DATA / "slack"


def test_the_slash_command_sample_opens_the_log_form(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    bot.fake.add_user("W111", "Jane Doe", tz="UTC")
    enrol(bot.db, "W111", date(2026, 3, 2))
    body = (SAMPLES / "slash_command_ambassador_log.form.txt").read_bytes().strip()

    response = bot.slack.post(body, "application/x-www-form-urlencoded")

    assert response.status == 200
    opened = bot.fake.wait_for_call("views.open")[0]
    assert opened["trigger_id"] == "111.111.xxx"
    assert opened["view"]["callback_id"] == "log_contribution"


def test_the_slash_command_sample_from_a_non_ambassador_says_how_to_apply(bot: Bot) -> None:
    body = (SAMPLES / "slash_command_ambassador_log.form.txt").read_bytes().strip()

    response = bot.slack.post(body, "application/x-www-form-urlencoded")

    assert "/ambassador apply" in response.json["text"]
    assert "views.open" not in bot.fake.methods()


def test_the_app_home_opened_sample_publishes_the_home(bot: Bot) -> None:
    bot.fake.add_user("W111", "Jane Doe", tz="UTC")
    body = (SAMPLES / "event_app_home_opened.json").read_bytes()

    response = bot.slack.post(body, "application/json")

    assert response.status == 200
    published = bot.fake.wait_for_call("views.publish")[0]
    assert published["user_id"] == "W111"
    assert published["view"]["type"] == "home"
