"""`make install` checks the Python it is given before anything else, and makes .venv again when it was
made with another Python than the one asked for. Interpreters are stand-ins here (a script answering
the version probe), and VENV points into a temporary directory: the real .venv is never touched."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.paths import ROOT


def stand_in_python(path: Path, version: str) -> Path:
    """An executable that answers `-c ...` (the Makefile's version probe) with `version`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\n[ "$1" = "-c" ] && echo {version}\n', encoding="utf-8")
    path.chmod(0o755)
    return path


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_old_python_is_one_clear_line_before_anything_is_made(tmp_path: Path) -> None:
    old = stand_in_python(tmp_path / "python3.9", "3.9")
    venv = tmp_path / "venv"

    result = make("install", f"PYTHON={old}", f"VENV={venv}")

    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"make: {old} is Python 3.9; ambassador-bot needs Python 3.11 or newer: install it and run "
        "make install PYTHON=python3.11 (or newer)"
    )
    assert not venv.exists()


def test_a_python_that_does_not_run_is_said_so(tmp_path: Path) -> None:
    result = make("install", "PYTHON=python2.4-nowhere", f"VENV={tmp_path / 'venv'}")

    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(
        "make: 'python2.4-nowhere' is not a Python this machine can run; ambassador-bot needs Python 3.11"
    )


def test_a_venv_made_with_another_python_is_made_again(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    stand_in_python(venv / "bin" / "python", "3.9")
    wanted = stand_in_python(tmp_path / "python3.12", "3.12")

    result = make("python-check", f"PYTHON={wanted}", f"VENV={venv}")

    assert result.returncode == 0, result.stderr
    assert f"make: {venv} was made with Python 3.9, not {wanted} (3.12): making it again" in result.stdout
    assert not venv.exists()


def test_a_venv_made_with_the_python_asked_for_is_kept(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    stand_in_python(venv / "bin" / "python", "3.12")
    wanted = stand_in_python(tmp_path / "python3.12", "3.12")

    result = make("python-check", f"PYTHON={wanted}", f"VENV={venv}")

    assert (result.returncode, result.stdout) == (0, "")
    assert (venv / "bin" / "python").exists()


def test_newer_pythons_pass_the_check(tmp_path: Path) -> None:
    for version in ("3.11", "3.12", "3.13", "4.0"):
        newer = stand_in_python(tmp_path / f"python{version}", version)
        result = make("python-check", f"PYTHON={newer}", f"VENV={tmp_path / 'none'}")
        assert result.returncode == 0, (version, result.stderr)
