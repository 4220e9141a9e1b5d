"""The public files as text (pure): read by content, written back in the repository's own style,
merged with the bot's list without losing what the bot does not manage; GitHub tokens redacted."""

from __future__ import annotations

import logging

import pytest

from bot.github import public_files
from bot.logging_setup import RedactSecrets
from bot.services.publishing import MANAGED_KEYS
from tests import paths

DATA = paths.DATA / "asyncapi"


@pytest.mark.parametrize("name", ["AMBASSADORS_MEMBERS.yaml", "AMBASSADORS_MEMBERS.json", "Emeritus.yaml"])
def test_asyncapis_files_are_written_back_byte_for_byte(name: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")

    style = public_files.detect_style(text, name)

    assert public_files.render(public_files.parse_text(text), style) == text


def test_styles_found_in_the_files() -> None:
    members = public_files.detect_style((DATA / "AMBASSADORS_MEMBERS.yaml").read_text("utf-8"), "x.yaml")
    emeritus = public_files.detect_style((DATA / "Emeritus.yaml").read_text("utf-8"), "Emeritus.yaml")
    website = public_files.detect_style((DATA / "AMBASSADORS_MEMBERS.json").read_text("utf-8"), "x.json")
    assert (members.top_indent, members.quoted, members.header) == (2, True, "")
    assert (emeritus.top_indent, emeritus.quoted) == (0, False)
    assert emeritus.header.startswith("# This file lists individuals") and emeritus.header.endswith("\n\n")
    assert (website.format, website.indent, website.ascii_only, website.final_newline) == (
        "json",
        4,
        True,
        False,
    )
    assert public_files.detect_style(None, "new.json") == public_files.Style(format="json")


def test_json_is_told_by_content_and_surrogate_escapes_become_characters() -> None:
    assert public_files.parse_text(' [{"country": "\\ud83c\\udde9\\ud83c\\uddea"}]') == [{"country": "🇩🇪"}]
    assert public_files.parse_text('- country: "\\ud83c\\uddeb\\ud83c\\uddf7"\n') == [{"country": "🇫🇷"}]
    with pytest.raises(public_files.FileFormatError, match="not a character"):
        public_files.parse_text('- country: "\\ud83c"\n')


def test_merging_keeps_unknown_members_and_keys_and_the_entry_order() -> None:
    current = [
        {"name": "Ann", "github": "ann", "mastodon": "@ann", "title": "Old", "contributions": []},
        {"name": "Zed", "github": "zed"},  # not the bot's
        {"name": "Gone", "github": "gone", "contributions": []},
    ]
    exported = [
        {"name": "Ann", "title": "New", "github": "ANN", "contributions": [{"type": "talk"}]},
        {"name": "Bea", "github": "bea", "contributions": []},
    ]

    merged = public_files.merge_members(current, exported, ["Gone"], MANAGED_KEYS)

    assert merged.data == [
        {
            "name": "Ann",
            "github": "ANN",
            "mastodon": "@ann",
            "title": "New",
            "contributions": [{"type": "talk"}],
        },
        {"name": "Zed", "github": "zed"},
        {"name": "Bea", "github": "bea", "contributions": []},
    ]
    assert [entry["github"] for entry in merged.joined] == ["bea"]
    assert [entry["github"] for entry in merged.left] == ["gone"]
    assert len(merged.updated) == 1


def test_the_emeritus_merge_keeps_the_tsc_list_and_unknown_handles() -> None:
    current = {"emeritus_ambassadors": ["old", "back"], "emeritus_tsc": ["tsc1"]}

    merged = public_files.merge_emeritus(current, ["old", "new"], active=["Back"])

    assert merged.data == {"emeritus_ambassadors": ["old", "new"], "emeritus_tsc": ["tsc1"]}
    assert (merged.added, merged.removed) == (["new"], ["back"])


@pytest.mark.parametrize(
    "token",
    [
        "ghp_" + "A1b2" * 9,
        "github_pat_11ABCDEFG0" + "x" * 60,
        "ghs_" + "Z9" * 18,
        "gho_" + "q" * 36,
    ],
)
def test_github_tokens_are_redacted_from_log_lines(token: str) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "auth with %s failed", (token,), None)

    RedactSecrets().filter(record)

    assert record.getMessage() == "auth with [redacted] failed"
