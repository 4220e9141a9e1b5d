"""The program's public files as text: reading them (JSON or YAML, told by content) and writing them
back in the style a repository already uses, so that a pull request shows only real changes.

Pure: no database, no network. The members file (`AMBASSADORS_MEMBERS.yaml` in AsyncAPI's community
repository, `config/AMBASSADORS_MEMBERS.json` on the website) and the emeritus file (`Emeritus.yaml`,
a comment header, `emeritus_ambassadors` and `emeritus_tsc`) are merged with what the bot exports:
whatever the bot does not manage (members it does not know, keys it does not store, the TSC list,
the header) is kept where it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

# libyaml's loader when PyYAML has it (ten times faster on the members file); the same results.
YAML_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
# The profile keys and `contributions`: what the bot writes for a member it manages.
EMERITUS_KEY = "emeritus_ambassadors"


class FileFormatError(ValueError):
    """The text is not valid JSON or YAML; the message says where, on one line."""


# --- reading ------------------------------------------------------------------------------------


def looks_like_json(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:1] in ("[", "{")


def parse_text(text: str) -> Any:
    """Decoded JSON or YAML, by content: a document starting with `[` or `{` is JSON (the members and
    emeritus files in YAML start with `- ` or a key)."""
    if looks_like_json(text):
        try:
            return _joined_surrogates(json.loads(text))
        except json.JSONDecodeError as exc:
            # Not read as YAML instead: a broken JSON file is better told where it breaks.
            raise FileFormatError(
                f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
    try:
        return _joined_surrogates(_load_yaml(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FileFormatError(f"not valid YAML ({where}{problem})") from None


def _load_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError:
        if YAML_LOADER is yaml.SafeLoader:
            raise
    # libyaml refuses `\\ud83c`-style escapes that PyYAML reads (as surrogates, joined below).
    return yaml.load(text, Loader=yaml.SafeLoader)


def _joined_surrogates(value: Any) -> Any:
    """Strings with `\\ud83c\\udde9`-style escapes (YAML keeps them as two surrogates) made whole;
    a lone surrogate, which no database or file can store, is an error."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            pass
        try:
            return value.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            shown = value.encode("utf-8", "backslashreplace").decode("ascii", "replace")[:40]
            raise FileFormatError(f"{shown!r} has an escape (\\ud...) that is not a character") from None
    if isinstance(value, list):
        return [_joined_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {key: _joined_surrogates(item) for key, item in value.items()}
    return value


# --- style --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How a file is written, as found in the repository's copy."""

    format: str  # "json" | "yaml"
    indent: int = 4  # JSON: spaces per level
    ascii_only: bool = True  # JSON: non-ASCII as \\u escapes (Python's json.dump default, the website's)
    final_newline: bool = False
    top_indent: int = 0  # YAML: spaces before the top-level `- ` or key
    quoted: bool = False  # YAML: every string in double quotes (AMBASSADORS_MEMBERS.yaml)
    header: str = ""  # YAML: the comment lines before the first entry, kept verbatim


# The community's own files, for a file written whole (`ambassador-bot export`), so that it reads
# exactly as the repository's copy: AMBASSADORS_MEMBERS.yaml (every string double-quoted, the list
# indented two spaces), Emeritus.yaml, and the website's config/AMBASSADORS_MEMBERS.json (Python's
# json.dump with indent=4, non-ASCII escaped), each with a final newline.
MEMBERS_YAML_STYLE = Style(format="yaml", quoted=True, top_indent=2, final_newline=True)
EMERITUS_YAML_STYLE = Style(format="yaml", final_newline=True)
MEMBERS_JSON_STYLE = Style(format="json", indent=4, ascii_only=True, final_newline=True)


def format_for_path(path: str) -> str:
    return "json" if path.lower().endswith(JSON_SUFFIXES) else "yaml"


def detect_style(text: str | None, path: str) -> Style:
    """The style of `text` (the repository's copy); a file that does not exist yet gets the
    website's conventions for its extension."""
    if not text or not text.strip():
        fmt = format_for_path(path)
        return Style(format=fmt, final_newline=fmt == "yaml")
    final_newline = text.endswith("\n")
    if looks_like_json(text):
        second = next((line for line in text.splitlines()[1:] if line.strip()), "")
        indent = len(second) - len(second.lstrip(" "))
        return Style(
            format="json",
            indent=indent or 4,
            ascii_only=text.isascii(),
            final_newline=final_newline,
        )
    lines = text.splitlines(keepends=True)
    header_lines: list[str] = []
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            break
        header_lines.append(line)
    body = lines[len(header_lines) :]
    first = body[0] if body else ""
    top_indent = len(first) - len(first.lstrip(" "))
    quoted = re.search(r'^\s*(?:- |[\w-]+: )"', "".join(body), re.MULTILINE) is not None
    return Style(
        format="yaml",
        final_newline=final_newline,
        top_indent=top_indent,
        quoted=quoted,
        header="".join(header_lines),
    )


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key (`key:\\n  - item`), as AsyncAPI's YAML files are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class _QuotedDumper(_Dumper):
    pass


def _double_quoted(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')


def _plain_keys(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.MappingNode:
    """A mapping whose values are double-quoted strings but whose keys stay plain (`name: "..."`)."""
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in data.items():
        key_node = (
            yaml.SafeDumper.represent_str(dumper, key) if isinstance(key, str) else dumper.represent_data(key)
        )
        pairs.append((key_node, dumper.represent_data(value)))
    return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=False)


_QuotedDumper.add_representer(str, _double_quoted)
_QuotedDumper.add_representer(dict, _plain_keys)


# PyYAML escapes characters beyond U+FFFF (emoji flags) in double-quoted strings even with
# allow_unicode; the repository writes them as they are. An escaped backslash before it stays.
_ASTRAL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\U([0-9A-Fa-f]{8})")


def render(data: Any, style: Style) -> str:
    """`data` written in `style`."""
    if style.format == "json":
        text = json.dumps(data, indent=style.indent, ensure_ascii=style.ascii_only)
        return text + "\n" if style.final_newline else text
    dumper = _QuotedDumper if style.quoted else _Dumper
    text = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1_000_000, indent=2)
    if style.quoted:
        text = _ASTRAL_ESCAPE.sub(lambda match: match.group(1) + chr(int(match.group(2), 16)), text)
    if style.top_indent:
        pad = " " * style.top_indent
        text = "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))
    if not style.final_newline:
        text = text.rstrip("\n")
    return style.header + text


# --- merging the bot's export into the repository's files -------------------------------------------


@dataclass(frozen=True)
class MemberMerge:
    data: list[Any]
    joined: list[dict[str, Any]]  # entries the bot adds
    left: list[dict[str, Any]]  # entries the bot removes (no longer ambassadors)
    updated: list[tuple[dict[str, Any], dict[str, Any]]]  # (before, after) of entries that changed


def github_of(entry: Any) -> str | None:
    if isinstance(entry, Mapping) and isinstance(entry.get("github"), str) and entry["github"]:
        return str(entry["github"]).lower()
    return None


def merge_entry(
    before: Mapping[str, Any], after: Mapping[str, Any], managed: Iterable[str]
) -> dict[str, Any]:
    """`after` (the bot's) in `before`'s key order; keys the bot does not manage keep their values."""
    managed_keys = set(managed)
    merged: dict[str, Any] = {}
    for key, value in before.items():
        if key in after:
            merged[key] = after[key]
        elif key not in managed_keys:
            merged[key] = value
    merged.update((key, value) for key, value in after.items() if key not in merged)
    return merged


def merge_members(
    current: Sequence[Any],
    exported: Sequence[Mapping[str, Any]],
    former: Iterable[str],
    managed: Iterable[str],
) -> MemberMerge:
    """The repository's members list (`current`) with the bot's `exported` ambassadors.

    An entry of a current ambassador is replaced by the bot's (in the entry's key order, unmanaged
    keys kept); an entry of someone the bot lists in `former` (GitHub handles of members who are no
    longer ambassadors) is removed; any other entry is kept as it is. New ambassadors are appended.
    """
    managed_keys = tuple(managed)
    by_github = {github_of(entry): entry for entry in exported if github_of(entry)}
    former_handles = {handle.lower() for handle in former}
    placed: set[str] = set()
    data: list[Any] = []
    left: list[dict[str, Any]] = []
    updated: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for entry in current:
        handle = github_of(entry)
        if handle is not None and handle in by_github and handle not in placed:
            merged = merge_entry(entry, by_github[handle], managed_keys)
            if merged != entry:
                updated.append((dict(entry), merged))
            data.append(merged)
            placed.add(handle)
        elif handle is not None and handle in former_handles:
            left.append(dict(entry))
        else:
            data.append(entry)
    joined = [dict(entry) for entry in exported if github_of(entry) not in placed]
    data.extend(joined)
    return MemberMerge(data=data, joined=joined, left=left, updated=updated)


@dataclass(frozen=True)
class EmeritusMerge:
    data: dict[str, Any]
    added: list[str]
    removed: list[str]


def merge_emeritus(current: Any, emeritus: Sequence[str], active: Iterable[str]) -> EmeritusMerge:
    """The repository's emeritus file with the bot's former ambassadors added (in the bot's order,
    after those already listed) and current ambassadors who came back removed. Other keys
    (`emeritus_tsc`) and handles the bot does not know are kept."""
    data: dict[str, Any] = dict(current) if isinstance(current, Mapping) else {}
    listed = data.get(EMERITUS_KEY) or []
    if not isinstance(listed, list):
        listed = []
    active_handles = {handle.lower() for handle in active}
    kept = [item for item in listed if not (isinstance(item, str) and item.lower() in active_handles)]
    removed = [item for item in listed if isinstance(item, str) and item.lower() in active_handles]
    present = {item.lower() for item in kept if isinstance(item, str)}
    added = [handle for handle in emeritus if handle.lower() not in present]
    if EMERITUS_KEY in data:
        data[EMERITUS_KEY] = kept + added
    else:
        data = {EMERITUS_KEY: kept + added, **data}
    return EmeritusMerge(data=data, added=added, removed=removed)
