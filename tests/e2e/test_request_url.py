"""Slack's "Verify" of the request URL (after creating the app from the manifest) succeeds, and only signed."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Bot


@pytest.mark.sqlite_only
def test_the_request_url_answers_slacks_url_verification_challenge(bot: Bot) -> None:
    # The payload of Slack's url_verification event (Events API reference).
    body = json.dumps(
        {
            "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    ).encode()

    verified = bot.slack.post(body, "application/json")
    forged = bot.slack.post(body, "application/json", signature="v0=" + "0" * 64)

    assert verified.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in verified.text
    assert forged.status == 401
    assert bot.fake.calls == []  # no Web API call (and no token check) needed to verify
