"""When an App Home is drawn, off the request path and never twice at once (docs/app-home.md)."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

log = logging.getLogger(__name__)

Publish = Callable[[WebClient, str], None]

QUEUED, RUNNING, RUNNING_AGAIN = "queued", "running", "running, then again"


def from_home(body: dict[str, Any]) -> bool:
    """A click made on the App Home tab (Slack puts the Home view in the payload)."""
    return (body.get("view") or {}).get("type") == "home"


class HomeRefresher:
    """Draws Homes in the background, coalescing requests for the same person.

    Its threads exist only while there is something to draw (no idle pool per app), and a process
    that exits does not wait for them: a drawing lost then is made again when the Home is opened.
    """

    def __init__(self, publish: Publish, workers: int = 2) -> None:
        self._publish = publish
        self._workers = workers
        self._lock = threading.Lock()
        self._state: dict[str, str] = {}
        self._clients: dict[str, WebClient] = {}
        self._queue: deque[str] = deque()
        self._running = 0

    def request(self, client: WebClient, slack_user_id: str) -> None:
        """Have `slack_user_id`'s Home drawn from the database as it will be, soon; returns at once."""
        with self._lock:
            self._clients[slack_user_id] = client
            state = self._state.get(slack_user_id)
            if state == RUNNING:
                self._state[slack_user_id] = RUNNING_AGAIN
            if state is not None:
                return  # a drawing still to come reads this change too
            self._state[slack_user_id] = QUEUED
            self._queue.append(slack_user_id)
            if self._running >= self._workers:
                return
            self._running += 1
        threading.Thread(target=self._work, name="home-refresh", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._running -= 1
                    return
                slack_user_id = self._queue.popleft()
                self._state[slack_user_id] = RUNNING
                client = self._clients[slack_user_id]
            try:
                self._publish(client, slack_user_id)
            except Exception:
                log.exception("could not publish the App Home of %s", slack_user_id)
            with self._lock:
                if self._state[slack_user_id] == RUNNING_AGAIN:
                    # Changed while being drawn: once more, behind whoever is waiting already.
                    self._state[slack_user_id] = QUEUED
                    self._queue.append(slack_user_id)
                else:
                    del self._state[slack_user_id]
                    del self._clients[slack_user_id]

    def idle(self) -> bool:
        """Nothing queued or running (tests and benchmarks wait for this)."""
        with self._lock:
            return not self._state
