"""Posting a file (the report's chart) with Slack's external upload, in steps a retry can resume.

Slack's upload (`files_upload_v2` in slack-sdk) is three calls: `files.getUploadURLExternal` gives an
upload URL and a file id; the bytes are POSTed to that URL; `files.completeUploadExternal` with a
`channel_id` shares the file there. Until that last call the file is private to the bot and nobody
sees it. So the sender keeps the file id on the outbox row between the second and third steps: a
retry shares that file rather than uploading another, and a retry after a share whose answer was
lost first looks for the file in the channel's history (`find_share`). The steps and the one gap
left are in docs/outbox.md.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.outbox.delivery_errors import Transient
from bot.outbox.queue import CHART_KIND
from bot.rules.report import Series

FILE_KINDS = frozenset({CHART_KIND})
UPLOAD_TIMEOUT = 30  # seconds
HISTORY_PAGES = 5


class BadFileRow(ValueError):
    """A file row whose content cannot be read (never retried)."""


@dataclass(frozen=True)
class FileRow:
    series: Series
    filename: str
    alt_text: str
    file_id: str | None

    @classmethod
    def of(cls, content: Any) -> FileRow:
        try:
            return cls(
                Series.from_json(content["chart"]),
                str(content["filename"]),
                str(content.get("alt_text") or ""),
                str(content["file_id"]) if content.get("file_id") else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BadFileRow(f"not a chart row: {exc.__class__.__name__}: {exc}") from None

    def content_with(self, file_id: str) -> dict[str, Any]:
        return {
            "chart": self.series.to_json(),
            "filename": self.filename,
            "alt_text": self.alt_text,
            "file_id": file_id,
        }


def upload(client: WebClient, filename: str, data: bytes, alt_text: str = "") -> str:
    """Steps one and two: the file is in Slack, private to the bot. Returns its id."""
    arguments: dict[str, Any] = {"filename": filename, "length": len(data)}
    if alt_text:
        arguments["alt_txt"] = alt_text
    answer = client.files_getUploadURLExternal(**arguments)
    upload_url, file_id = str(answer.get("upload_url") or ""), str(answer.get("file_id") or "")
    if not upload_url or not file_id:
        raise Transient("files.getUploadURLExternal answered without an upload_url or file_id")
    request = urllib.request.Request(upload_url, data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=UPLOAD_TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise Transient(f"the file upload answered HTTP {status}")
    return file_id


def share(client: WebClient, file_id: str, title: str, channel: str, comment: str) -> str:
    """Step three: the file shared in `channel` with `comment`; the message's ts when Slack says it
    at once (file shares are processed after the answer, so often it does not: "")."""
    answer = client.files_completeUploadExternal(
        files=[{"id": file_id, "title": title}], channel_id=channel, initial_comment=comment
    )
    return share_ts(answer.get("files") or [], channel)


def share_ts(files: Any, channel: str) -> str:
    for item in files if isinstance(files, list) else []:
        shares = (item or {}).get("shares") or {}
        for visibility in ("public", "private"):
            found = (shares.get(visibility) or {}).get(channel) or []
            if found and isinstance(found[0], Mapping) and found[0].get("ts"):
                return str(found[0]["ts"])
    return ""


def find_share(client: WebClient, channel: str, file_id: str, oldest: datetime) -> str | None:
    """The ts of a message in `channel` that shares `file_id` (an earlier attempt's), if any."""
    cursor = None
    for _ in range(HISTORY_PAGES):
        page = client.conversations_history(
            channel=channel, oldest=f"{oldest.timestamp():.6f}", limit=200, cursor=cursor
        )
        for message in page.get("messages") or []:
            if any((item or {}).get("id") == file_id for item in message.get("files") or []):
                return str(message.get("ts") or "")
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return None
