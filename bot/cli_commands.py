"""Subcommands of `ambassador-bot` beyond serving: each feature adds its own here."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(commands: Any) -> None:
    """`commands` is the parser's subparsers object; add one parser per command with a `handler`."""
    _ = (commands, argparse)
