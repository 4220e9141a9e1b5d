"""What the Slack stand-in and the clock hold, kept in a JSON file beside the sandbox's database, so a
sandbox started again shows the conversations and the time it had (the database keeps the rest)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.sandbox.slack_standin import SlackStandin
from bot.sandbox.slack_workspace import Message

log = logging.getLogger(__name__)

VERSION = 1


def save(path: Path, standin: SlackStandin, now: datetime) -> None:
    with standin.lock:
        state = {
            "version": VERSION,
            "now": now.isoformat(),
            "users": standin.users,
            "open_dms": sorted(standin.open_dms),
            "messages": [asdict(message) for message in standin.messages],
            "homes": {key: view for key, view in standin.views.items() if key.startswith("VHOME")},
        }
        text = json.dumps(state, ensure_ascii=False)
    # Written whole or not at all: a sandbox stopped mid-write keeps the previous file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def load(path: Path) -> dict[str, Any] | None:
    """The saved state, or None (no file, or one this version cannot read: then it starts afresh)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("sandbox: %s is unreadable (%s); the conversations start empty", path, exc)
        return None
    if not isinstance(state, dict) or state.get("version") != VERSION:
        return None
    return state


def saved_now(state: dict[str, Any] | None) -> datetime | None:
    try:
        return datetime.fromisoformat(str((state or {})["now"]))
    except (KeyError, ValueError):
        return None


def restore(standin: SlackStandin, state: dict[str, Any]) -> None:
    with standin.lock:
        for user_id, user in (state.get("users") or {}).items():
            standin.users.setdefault(user_id, user)
        standin.open_dms.update(state.get("open_dms") or [])
        for item in state.get("messages") or []:
            standin.messages.append(Message(**item))
        standin.views.update(state.get("homes") or {})
        if standin.messages:
            standin._ts = max(float(message.ts) for message in standin.messages)
        standin.touch()
