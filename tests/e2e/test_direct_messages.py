"""A message typed in the bot's Messages tab gets the help, once; nothing else the tab carries does."""

from __future__ import annotations

from typing import Any

from tests.conftest import MEMBER, Bot
from tests.fakes.slack import BOT_USER_ID


def dm(text: str = "hi, how do I log a talk?", **extra: Any) -> dict[str, Any]:
    """A `message.im` event as Slack sends it (Events API reference, message.im)."""
    return {
        "type": "message",
        "client_msg_id": "5f3b1f5a-0000-4000-8000-000000000001",
        "text": text,
        "user": MEMBER,
        "ts": "1764643200.000100",
        "team": "T111",
        "blocks": [
            {
                "type": "rich_text",
                "block_id": "Zx1",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
            }
        ],
        "channel": "D0MEMBER",
        "event_ts": "1764643200.000100",
        "channel_type": "im",
        **extra,
    }


def test_a_message_to_the_bot_is_answered_with_the_help_once_even_when_slack_retries(bot: Bot) -> None:
    first = bot.slack.event(dm(), event_id="Ev0DM1")
    retried = bot.slack.event(dm(), event_id="Ev0DM1", retry=1)

    (post,) = bot.fake.wait_for_call("chat.postMessage")
    bot.fake.wait_until_quiet()

    assert (first.status, retried.status) == (200, 200)
    assert len(bot.fake.calls_to("chat.postMessage")) == 1
    assert post["channel"] == "D0MEMBER"
    assert post["text"].startswith(":wave: I don't read messages here: I answer the `/ambassador` command")
    assert "`/ambassador log" in post["text"] and "`/ambassador status" in post["text"]
    (reply,) = bot.fake.messages_in("D0MEMBER")
    assert reply.blocks and reply.blocks[0]["text"]["text"].startswith(":wave: I don't read messages here")


def test_the_bots_own_posts_edits_bots_threads_and_channels_get_no_answer(bot: Bot) -> None:
    ignored = [
        dm("Welcome to the program!", user=BOT_USER_ID, bot_id="B0BOT", app_id="A111"),
        dm("edited", subtype="message_changed"),
        dm("from another bot", subtype="bot_message", bot_id="B0OTHER"),
        dm("a reply in a thread", thread_ts="1764643100.000100"),
        dm("in a channel", channel="C0GENERAL", channel_type="channel"),
    ]

    statuses = [bot.slack.event(event).status for event in ignored]
    bot.fake.wait_until_quiet()

    assert statuses == [200] * len(ignored)
    assert bot.fake.calls_to("chat.postMessage") == []
