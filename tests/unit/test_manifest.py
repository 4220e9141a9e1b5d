"""The Slack app manifest: its structure, and its scopes and events checked against what the code calls."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from slack_bolt import App

from bot.blocks import ids
from bot.slack import manifest
from bot.slack.deps import Deps
from bot.store.db import Database
from handlers import register_all
from tests.conftest import make_settings
from tests.paths import ROOT

SOURCES = sorted(path for package in ("bot", "handlers", "jobs") for path in (ROOT / package).rglob("*.py"))
# `client.chat_postMessage(` (also `self.client`, `web_client`) → chat.postMessage; any method family.
METHOD_CALL = re.compile(
    r"\w*client\.((?:admin|api|apps|auth|bookmarks|bots|calls|chat|conversations|dialog|dnd|emoji|files|pins|"
    r"reactions|reminders|search|stars|team|usergroups|users|views|workflows)_[A-Za-z]+(?:_[A-Za-z]+)*)\("
)
API_CALL = re.compile(r"api_call\(\s*[\"']([\w.]+)[\"']")
EVENT_LISTENER = re.compile(r"\.event\(\s*[\"'](\w+)[\"']")
URL = "https://bot.example.org/slack/events"


def methods_called_by_the_code() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        found.update(name.replace("_", ".") for name in METHOD_CALL.findall(text))
        found.update(API_CALL.findall(text))
    return found


def events_listened_to() -> set[str]:
    return {name for path in SOURCES for name in EVENT_LISTENER.findall(path.read_text(encoding="utf-8"))}


def test_http_manifest_points_every_feature_at_the_one_endpoint() -> None:
    built = manifest.build_manifest(url="https://bot.example.org/")

    assert built["display_information"]["name"] == "Ambassador Bot"
    assert len(built["display_information"]["description"]) <= 140
    assert built["features"]["bot_user"] == {"display_name": "ambassador-bot", "always_online": True}
    assert built["features"]["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    assert built["features"]["slash_commands"] == [
        {
            "command": "/ambassador",
            "description": "Log contributions, see your progress, apply and more",
            "usage_hint": manifest.USAGE_HINT,
            "should_escape": True,
            "url": URL,
        }
    ]
    settings = built["settings"]
    assert settings["interactivity"] == {"is_enabled": True, "request_url": URL}
    assert settings["event_subscriptions"] == {
        "request_url": URL,
        "bot_events": ["app_home_opened", "message.im"],
    }
    assert settings["socket_mode_enabled"] is False


def test_socket_mode_manifest_has_no_request_urls() -> None:
    built = manifest.build_manifest(socket_mode=True, name="AsyncAPI Ambassadors")

    assert built["settings"]["socket_mode_enabled"] is True
    assert built["settings"]["interactivity"] == {"is_enabled": True}
    assert built["settings"]["event_subscriptions"] == {"bot_events": ["app_home_opened", "message.im"]}
    assert built["features"]["bot_user"]["display_name"] == "asyncapi-ambassadors"
    assert "url" not in built["features"]["slash_commands"][0]
    assert built["display_information"]["name"] == "AsyncAPI Ambassadors"
    assert "request_url" not in str(built)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://bot.example.org", URL),
        ("https://bot.example.org/", URL),
        ("https://bot.example.org/slack/events", URL),
        ("https://example.org/ambassadors/", "https://example.org/ambassadors/slack/events"),
    ],
)
def test_request_url_is_the_events_endpoint(given: str, expected: str) -> None:
    assert manifest.request_url(given) == expected


@pytest.mark.parametrize(
    "bad", ["http://bot.example.org", "bot.example.org", "https://", "https://x.org/?a=1"]
)
def test_request_url_must_be_https(bad: str) -> None:
    with pytest.raises(ValueError, match="is not an https URL"):
        manifest.request_url(bad)


def test_bot_scopes_are_exactly_what_the_called_methods_need() -> None:
    called = methods_called_by_the_code()
    known = set(manifest.BOT_METHODS) | set(manifest.LIBRARY_METHODS)

    assert called - known == set(), (
        "add these Web API methods (and their scopes) to bot.slack.manifest.BOT_METHODS"
    )
    assert set(manifest.BOT_METHODS) - called <= {
        "chat.update",
        "chat.getPermalink",
        "views.push",
        "views.update",
    }
    scopes = manifest.build_manifest(socket_mode=True)["oauth_config"]["scopes"]["bot"]
    assert scopes == [
        "channels:history",
        "chat:write",
        "chat:write.public",
        "commands",
        "files:write",
        "groups:history",
        "groups:read",
        "groups:write",
        "im:history",
        "im:write",
        "usergroups:read",
        "usergroups:write",
        "users:read",
    ]


def test_bot_events_are_the_events_the_handlers_listen_to() -> None:
    # A `message` listener receives the `message.*` events subscribed to: here only DMs to the bot.
    subscribed = {name.partition(".")[0] for name in manifest.BOT_EVENTS}
    assert subscribed == events_listened_to()
    assert [name for name in manifest.BOT_EVENTS if name.startswith("message.")] == ["message.im"]
    # Slack delivers message.im only with im:history.
    assert "im:history" in manifest.build_manifest(socket_mode=True)["oauth_config"]["scopes"]["bot"]
    assert manifest.EVENT_SCOPES["message.im"] == ("im:history",)


@pytest.mark.parametrize(
    ("app_name", "bot_name"),
    [
        ("Ambassador Bot", "ambassador-bot"),
        ("AsyncAPI Ambassadors", "asyncapi-ambassadors"),
        ("Émile's bot!", "emile-s-bot"),
        ("  ops.bot_2  ", "ops.bot_2"),
        ("x" * 35, "x" * 35),
    ],
)
def test_the_bot_users_name_uses_only_the_characters_slack_allows(app_name: str, bot_name: str) -> None:
    built = manifest.build_manifest(socket_mode=True, name=app_name)

    assert built["features"]["bot_user"]["display_name"] == bot_name
    assert re.fullmatch(r"[a-z0-9._-]{1,80}", bot_name)


def test_a_name_with_nothing_slack_allows_for_the_bot_user_is_refused() -> None:
    with pytest.raises(ValueError, match="leaves no letters or digits for the bot's name"):
        manifest.build_manifest(socket_mode=True, name="🤖 ✨")


def test_usage_hint_names_real_subcommands(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/unused.db")  # registering listeners opens no connection
    deps = Deps(settings=make_settings(db.url, "http://127.0.0.1:9/api/"), db=db)
    app = App(token="xoxb-unused", signing_secret="unused", token_verification_enabled=False)
    router = register_all(app, deps)

    for word in manifest.USAGE_HINT.split(" | "):
        assert word in router.handlers
    assert ids.COMMAND == "/ambassador"
    db.dispose()


def test_the_readme_lists_exactly_the_scopes_the_manifest_asks_for() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| Scope | Why the bot needs it |") :].split("\n\n", 1)[0]
    listed = [row.split("|")[1].strip().strip("`") for row in table.splitlines()[2:]]
    scopes = manifest.bot_scopes()

    assert sorted(listed) == scopes
    assert f"exactly these {len(scopes)} bot scopes" in readme
    assert "/invite @ambassador-bot" in readme
    assert manifest.bot_display_name(manifest.DEFAULT_NAME) == "ambassador-bot"
