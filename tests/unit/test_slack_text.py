"""The one decoder of Slack's command text (bot.rules.slack_text), with examples and properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import kit
from bot.rules import membership as membership_rules
from bot.rules import parsing, slack_text
from bot.rules.slack_text import Kind, Word

# Small and without deadlines: the suite's time budget is shared, and CI machines are slow.
FAST = settings(max_examples=60, deadline=None)


def slack_escape(typed: str) -> str:
    """What Slack does to plain typed text in a slash command: the three control characters escaped."""
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("a &lt;b&gt; c", "a <b> c"),
        ("&amp;lt; stays", "&lt; stays"),  # unescaped once, never twice
        ("<https://www.youtube.com/watch?v=x&amp;t=42>", "https://www.youtube.com/watch?v=x&t=42"),
        ("<http://example.com|example.com>", "example.com"),
        ("<mailto:jane@example.com|jane@example.com>", "jane@example.com"),
        ("hi <@U123ABC|jane>", "hi @jane"),
        ("hi <@U123ABC>", "hi @U123ABC"),
        ("in <#C024BE7LR|general>", "in #general"),
        ("<!subteam^SAZ94GDB8>", "@SAZ94GDB8"),
        ("<!subteam^SAZ94GDB8|@tsc>", "@tsc"),
        ("<!here> and <!channel|channel>", "@here and @channel"),
        ("<!date^1392734382^{date_short}|Feb 18, 2014>", "Feb 18, 2014"),
        ("(<https://x.org/a>)", "(https://x.org/a)"),
        ("no entities at all", "no entities at all"),
        ("an & alone and a < alone", "an & alone and a < alone"),
        ("<>", "<>"),
    ],
)
def test_decode_gives_what_the_member_typed(sent: str, typed: str) -> None:
    assert slack_text.decode(sent) == typed


def test_words_keep_entities_whole_and_know_their_targets() -> None:
    words = slack_text.words("video  <https://y.be/w?v=x&amp;t=42|y.be/w>\t<@U1|Jane Doe> Tom &amp; Jerry")
    assert words == [
        Word("video"),
        Word("y.be/w", Kind.LINK, "https://y.be/w?v=x&t=42"),
        Word("@Jane Doe", Kind.USER, "U1"),
        Word("Tom"),
        Word("&"),
        Word("Jerry"),
    ]
    assert words[1].link == "https://y.be/w?v=x&t=42" and words[2].user_id == "U1"
    assert slack_text.words("   ") == []


def test_inline_log_decodes_the_link_and_the_title_once() -> None:
    parsed = parsing.parse_inline_log(
        "video <https://www.youtube.com/watch?v=x&amp;t=42> 2026-11-20 Tom &amp; Jerry at <https://kcd.io|kcd.io>"
    )
    assert parsed == parsing.InlineLog(
        "video", "https://www.youtube.com/watch?v=x&t=42", "2026-11-20", "Tom & Jerry at kcd.io"
    )
    # Rendered into mrkdwn, escaped exactly once.
    assert kit.escape(parsed.title) == "Tom &amp; Jerry at kcd.io"


def test_leading_mention_and_the_rest_decoded() -> None:
    assert parsing.leading_mention("<@U0OTHER|olek> moved &amp; thanked\nline two") == (
        "U0OTHER",
        "moved & thanked\nline two",
    )
    assert parsing.leading_mention("olek &amp; co") == (None, "olek & co")


def test_links_that_break_urlsplit_and_control_characters_are_bad_input() -> None:
    for link in (
        "http://[abc",
        "http://x.org:port/",
        "https://",
        "https://a b.org",
        "https://x.org/\x00",
        "ftp://x",
    ):
        assert membership_rules.link_problem(link) is membership_rules.Problem.BAD_LINK, link
    assert membership_rules.title_problem("Tom\x00Jerry") is membership_rules.Problem.CONTROL_CHARACTERS
    assert membership_rules.title_problem("Line\tand\nbreak") is None
    assert membership_rules.control_characters("a\x1b[31mb\u0085") == ["\x1b", "\u0085"]


def test_whole_numbers_are_ascii_and_fit_a_column() -> None:
    assert parsing.whole_number("42") == 42
    for text in ("", "²", "١٢", "-1", "1e3", "4 2", "9" * 10, None):
        assert parsing.whole_number(text) is None, text


# --- properties ---------------------------------------------------------------------------------

TYPED = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@FAST
@given(TYPED)
def test_decoding_what_slack_escaped_gives_back_what_was_typed(typed: str) -> None:
    assert slack_text.decode(slack_escape(typed)) == typed


@FAST
@given(TYPED)
def test_words_are_the_typed_words(typed: str) -> None:
    assert [word.text for word in slack_text.words(slack_escape(typed))] == typed.split()


@FAST
@given(st.text(max_size=120))
def test_any_text_decodes_and_splits_without_raising(sent: str) -> None:
    slack_text.decode(sent)
    for word in slack_text.words(sent):
        assert word.text or word.kind is not Kind.TEXT


@FAST
@given(
    st.sampled_from(["talk", "blog", "video", "nonsense"]),
    st.from_regex(r"https://[a-z]{1,10}\.org/[a-z0-9?=&]{0,20}", fullmatch=True),
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=40),
)
def test_inline_log_round_trip(type_: str, link: str, title_word: str) -> None:
    sent = f"{type_} <{slack_escape(link)}> {slack_escape(title_word)} {slack_escape(title_word)}"
    parsed = parsing.parse_inline_log(sent)
    assert parsed is not None
    assert (parsed.type, parsed.link, parsed.date_text) == (type_, link, None)
    assert parsed.title == f"{title_word} {title_word}"


@FAST
@given(st.text(max_size=200))
def test_link_rules_never_raise(link: str) -> None:
    membership_rules.link_problem(link)
    if membership_rules.is_http_link(link):
        membership_rules.normalize_link(link)
