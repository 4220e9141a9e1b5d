"""Slack's external file upload in the stand-in: `files.getUploadURLExternal`, the POST of the bytes
to the upload URL it returns, and `files.completeUploadExternal`, strict where Slack is.

A filename and a length are required; the upload URL takes the bytes once; completing names files
this workspace handed out and that were uploaded (otherwise `file_not_found`), and sharing in a
channel posts a message with the file, as Slack does. The bytes are kept, so the sandbox's page can
show the picture (`/files/ID`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.sandbox.block_kit import SlackError
from bot.sandbox.slack_workspace import Message, Method, Workspace

# An upload URL is good for one POST of the announced length (Slack's is signed for one file).
UPLOAD_PATH = "upload/v1/"
FILE_SCOPE = "files:write"


@dataclass
class Upload:
    file_id: str
    filename: str
    length: int
    alt_txt: str = ""
    data: bytes | None = None
    completed: bool = False
    title: str = ""


def get_upload_url(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(str(args["length"]))
    except ValueError:
        raise SlackError("invalid_arguments", "length must be a whole number of bytes") from None
    if length <= 0:
        # Slack: "Typically only occurs when the `length` provided is 0."
        raise SlackError("missing_argument", "length must be more than 0")
    alt_txt = str(args.get("alt_txt") or "")
    if len(alt_txt) > 1000:
        raise SlackError("alt_txt_too_large")
    file_id = workspace.next_id("F")
    workspace.uploads[file_id] = Upload(file_id, str(args["filename"]), length, alt_txt)
    return {"upload_url": f"{workspace.base_url}{UPLOAD_PATH}{file_id}", "file_id": file_id}


def receive_upload(workspace: Workspace, path: str, data: bytes) -> tuple[int, bytes]:
    """The POST to an upload URL: (HTTP status, body) as Slack's upload service answers."""
    file_id = path.rsplit("/", 1)[-1]
    with workspace.lock:
        upload = workspace.uploads.get(file_id)
        if upload is None or upload.data is not None:
            return 404, b"not found"
        if len(data) != upload.length:
            return 400, b"length mismatch"
        upload.data = data
        workspace.touch()
    return 200, b"OK - " + str(len(data)).encode()


def complete_upload(workspace: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    given = args["files"]
    try:
        items = json.loads(given) if isinstance(given, str) else given
        ids = [(str(item["id"]), str(item.get("title") or "")) for item in items]
    except (ValueError, TypeError, KeyError):
        raise SlackError("invalid_arguments", "files must be a JSON array of {id, title}") from None
    uploads = []
    for file_id, title in ids:
        upload = workspace.uploads.get(file_id)
        if upload is None or upload.data is None or upload.completed:
            raise SlackError("file_not_found")
        uploads.append((upload, title))
    channel = str(args.get("channel_id") or "")
    resolved = workspace.resolve_channel(channel) if channel else ""
    shared = []
    for upload, title in uploads:
        upload.completed = True
        upload.title = title or upload.filename
        shared.append(file_object(workspace, upload))
    if resolved:
        ts = workspace.next_ts()
        workspace.messages.append(
            Message(resolved, ts, str(args.get("initial_comment") or ""), None, None, files=shared)
        )
    return {"files": [{"id": item["id"], "title": item["title"]} for item in shared]}


def file_object(workspace: Workspace, upload: Upload) -> dict[str, Any]:
    return {
        "id": upload.file_id,
        "name": upload.filename,
        "title": upload.title,
        "size": upload.length,
        "mimetype": "image/png" if upload.filename.lower().endswith(".png") else "",
        "url_private": f"{workspace.base_url}files/{upload.file_id}",
    }


FILE_METHODS: dict[str, Method] = {
    "files.getUploadURLExternal": Method(
        get_upload_url, ("filename", "length"), {"length": "missing_argument"}
    ),
    "files.completeUploadExternal": Method(complete_upload, ("files",)),
}
FILE_SCOPES: dict[str, str] = dict.fromkeys(FILE_METHODS, FILE_SCOPE)
