"""The vendored test data says where each file came from, and lists exactly the files that are there."""

from __future__ import annotations

import re

import pytest

from tests.paths import DATA


@pytest.mark.parametrize(
    ("folder", "index", "first_column"),
    [("asyncapi", "SOURCES.md", r"^\| ([^|`\s]+) \|"), ("slack", "README.md", r"^\| `([^`]+)` \|")],
)
def test_the_index_lists_exactly_the_files_in_its_folder(folder: str, index: str, first_column: str) -> None:
    text = (DATA / folder / index).read_text(encoding="utf-8")
    listed = set(re.findall(first_column, text, flags=re.MULTILINE)) - {"File", "file"}
    present = {path.name for path in (DATA / folder).iterdir()} - {index}

    assert listed == present, (
        f"listed but missing: {listed - present}; present but unlisted: {present - listed}"
    )
