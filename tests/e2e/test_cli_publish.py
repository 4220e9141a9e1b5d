"""`ambassador-bot import`, `export` and `publish` as a user runs them: the console script in a real
process, with the fake GitHub for `publish`."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import COMMAND, DATA, MEMBERS_JSON, MEMBERS_YAML, run, sqlite_env
from tests.fakes.github import TOKEN, FakeGitHub

EMERITUS_YAML = DATA / "Emeritus.yaml"


def test_export_keeps_each_members_key_order_so_the_website_file_comes_back_byte_for_byte(
    tmp_path: Path,
) -> None:
    env = sqlite_env(tmp_path)
    assert run("import", str(MEMBERS_YAML), cwd=tmp_path, env=env).returncode == 0

    exported = run("export", cwd=tmp_path, env=env)

    # The website's JSON has no final newline; everything else is the same, key order included.
    assert exported.stdout == MEMBERS_JSON.read_text(encoding="utf-8") + "\n"


def test_a_json_file_is_read_as_json_whatever_its_name_and_from_standard_input(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    renamed = tmp_path / "members-from-the-website"
    renamed.write_bytes(MEMBERS_JSON.read_bytes())

    by_name = run("import", str(renamed), cwd=tmp_path, env=env)
    from_stdin = run_with_stdin(tmp_path, env, MEMBERS_JSON.read_text(encoding="utf-8"), "import", "-")

    assert by_name.returncode == 0, by_name.stderr
    assert by_name.stdout.startswith("Imported members-from-the-website: 9 members added")
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout.startswith("Imported standard input: 0 members added, 0 updated, 9 unchanged")
    exported = json.loads(run("export", cwd=tmp_path, env=env).stdout)
    assert exported[0]["country"] == "\U0001f1e9\U0001f1ea"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[{"name": "x",}]', "not valid JSON (line 1, column 15: Expecting property name"),
        (b"\xff\xfe\x00garbage", "not UTF-8 text (byte 0); save it as UTF-8"),
        (b'- name: "\\ud83c"\n  github: x\n', "has an escape (\\ud...) that is not a character"),
        (b"just some words\n", "the file must be a list of members"),
    ],
)
def test_a_bad_file_is_one_line_never_a_traceback(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "members").write_bytes(content)

    result = run("import", "members", cwd=tmp_path, env=sqlite_env(tmp_path))

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_import_learns_the_emeritus_file(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)

    imported = run("import", str(EMERITUS_YAML), cwd=tmp_path, env=env)
    again = run("import", str(EMERITUS_YAML), cwd=tmp_path, env=env)
    exported = run("export", "--emeritus", cwd=tmp_path, env=env)

    assert imported.stdout == (
        "Imported Emeritus.yaml: 7 former ambassadors added as emeritus, 0 already known (their status is kept).\n"
    )
    assert again.stdout.startswith(
        "Imported Emeritus.yaml: 0 former ambassadors added as emeritus, 7 already"
    )
    assert exported.stdout == (
        "emeritus_ambassadors:\n  - jessemenning\n  - meteatamel\n  - raphaeldelio\n  - ferror\n"
        "  - quetzalliwrites\n  - manuelottlik\n  - lornajane\n"
    )


def test_export_refuses_an_extension_it_cannot_write(tmp_path: Path) -> None:
    result = run("export", "-o", "out.csv", cwd=tmp_path, env=sqlite_env(tmp_path))

    assert result.returncode == 2
    assert (
        "out.csv: the format follows the extension, and .csv is neither .json nor .yaml/.yml" in result.stderr
    )
    assert not (tmp_path / "out.csv").exists()


def run_with_stdin(tmp_path: Path, env: dict[str, str], text: str, *args: str) -> object:
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "LANG": "C.UTF-8", **env}
    return subprocess.run(
        [COMMAND, *args],
        cwd=tmp_path,
        env=environment,
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --- publish ----------------------------------------------------------------------------------------


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    members = MEMBERS_YAML.read_text(encoding="utf-8")
    last = members.rindex('\n  - name: "')  # the repository does not list the last member yet
    fake.commit_on(
        "master",
        {"AMBASSADORS_MEMBERS.yaml": members[: last + 1], "Emeritus.yaml": EMERITUS_YAML.read_text("utf-8")},
    )
    yield fake
    fake.stop()


def test_publish_dry_run_prints_the_diff_and_the_text_writes_nothing_and_never_logs_the_token(
    tmp_path: Path, github: FakeGitHub
) -> None:
    env = sqlite_env(
        tmp_path,
        GITHUB_REPO="asyncapi/community",
        GITHUB_TOKEN=TOKEN,
        GITHUB_API_URL=github.url,
        LOG_LEVEL="DEBUG",
    )
    assert run("import", str(MEMBERS_YAML), cwd=tmp_path, env=env).returncode == 0

    result = run("publish", "--dry-run", cwd=tmp_path, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("--- a/AMBASSADORS_MEMBERS.yaml\n+++ b/AMBASSADORS_MEMBERS.yaml\n@@ ")
    assert '+  - name: "Ankit Kumar"\n' in result.stdout
    assert "Pull request: Ambassadors: 1 joined" in result.stdout
    assert "### Joined\n\n- **Ankit Kumar**" in result.stdout
    assert result.stdout.rstrip().endswith(
        "(dry run, nothing written): would propose AMBASSADORS_MEMBERS.yaml against master"
    )
    assert github.writes() == [] and github.calls  # it read the repository, wrote nothing
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN[:12] not in result.stdout + result.stderr


def test_publish_without_a_repository_says_how_to_turn_it_on(tmp_path: Path) -> None:
    result = run("publish", cwd=tmp_path, env=sqlite_env(tmp_path))

    assert result.returncode == 2
    assert "publishing is off: set GITHUB_REPO (owner/name) and GITHUB_TOKEN" in result.stderr


def test_publish_with_a_bad_token_is_one_line(tmp_path: Path, github: FakeGitHub) -> None:
    env = sqlite_env(
        tmp_path, GITHUB_REPO="asyncapi/community", GITHUB_TOKEN="ghp_" + "x" * 36, GITHUB_API_URL=github.url
    )

    result = run("publish", cwd=tmp_path, env=env)

    assert result.returncode == 2
    assert "ambassador-bot: get repository: GitHub answered 401: Bad credentials" in result.stderr
    assert "Traceback" not in result.stderr and "ghp_xxxx" not in result.stderr


def test_publish_dry_run_from_local_copies_shows_the_same_pull_request_without_a_token(
    tmp_path: Path, github: FakeGitHub
) -> None:
    clone = tmp_path / "community"
    clone.mkdir()
    for path in ("AMBASSADORS_MEMBERS.yaml", "Emeritus.yaml"):
        (clone / path).write_text(github.file("master", path) or "", encoding="utf-8")
    online = sqlite_env(
        tmp_path, GITHUB_REPO="asyncapi/community", GITHUB_TOKEN=TOKEN, GITHUB_API_URL=github.url
    )
    offline = sqlite_env(tmp_path, GITHUB_API_URL="http://127.0.0.1:9")  # no repository, no token
    assert run("import", str(MEMBERS_YAML), cwd=tmp_path, env=offline).returncode == 0
    assert run("import", str(EMERITUS_YAML), cwd=tmp_path, env=offline).returncode == 0

    from_github = run("publish", "--dry-run", cwd=tmp_path, env=online)
    github.calls.clear()
    from_copies = run("publish", "--dry-run", "--from", str(clone), cwd=tmp_path, env=offline)

    assert from_copies.returncode == 0, from_copies.stderr
    assert github.calls == []  # nothing asked of GitHub
    body, summary = from_copies.stdout.rstrip().rsplit("\n", 1)
    assert body == from_github.stdout.rstrip().rsplit("\n", 1)[0]
    assert '+  - name: "Ankit Kumar"\n' in body and "Pull request: Ambassadors: 1 joined" in body
    assert summary == (
        f"publish (dry run, nothing written): would propose AMBASSADORS_MEMBERS.yaml against {clone}"
    )


def test_publish_from_local_copies_only_previews_and_names_a_missing_file(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    assert run("import", str(MEMBERS_YAML), cwd=tmp_path, env=env).returncode == 0
    (tmp_path / "clone").mkdir()

    without_dry_run = run("publish", "--from", str(tmp_path / "clone"), cwd=tmp_path, env=env)
    missing = run("publish", "--dry-run", "--from", str(tmp_path / "clone"), cwd=tmp_path, env=env)

    assert without_dry_run.returncode == 2
    assert "--from previews against local copies only: add --dry-run" in without_dry_run.stderr
    assert missing.returncode == 2
    assert (
        f"{tmp_path}/clone/AMBASSADORS_MEMBERS.yaml: no such file (GITHUB_MEMBERS_PATH=AMBASSADORS_MEMBERS.yaml)"
        in missing.stderr
    )
