"""Git URLs: a shallow clone into a temp dir that is removed; clear failures; no credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import ConnectorError
from connectors.code.git import cloned, is_git_url, normalise_git_url, redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/Acme/bot.git", "github.com/Acme/bot"),
        ("https://x-access-token:ghp_secret@github.com/acme/bot", "github.com/acme/bot"),
        ("git@github.com:acme/bot.git", "github.com/acme/bot"),
        ("ssh://git@gitlab.example.com:2222/team/bot.git", "gitlab.example.com/team/bot"),
        ("HTTPS://GitHub.com/acme/bot/", "github.com/acme/bot"),
    ],
)
def test_normalise_git_url(url: str, expected: str) -> None:
    assert normalise_git_url(url) == expected


def test_is_git_url() -> None:
    assert is_git_url("https://github.com/a/b")
    assert is_git_url("git@github.com:a/b.git")
    assert is_git_url("file:///srv/repo.git")
    assert not is_git_url("./some/dir")
    assert not is_git_url("relative")


def test_redact_url_hides_credentials() -> None:
    assert redact_url("https://user:s3cret@host/x.git") == "https://host/x.git"


def test_clone_of_a_local_repository_is_shallow_and_cleaned_up(make_tree, git) -> None:
    origin = make_tree({"app.py": "import openai\n"})
    git(origin, "init", "-q")
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "one")
    (origin / "app.py").write_text("import anthropic\n")
    git(origin, "commit", "-qam", "two")
    with cloned(f"file://{origin}") as path:
        kept = path
        assert (path / "app.py").read_text() == "import anthropic\n"
        assert git(path, "rev-list", "--count", "HEAD").strip() == "1"
    assert not kept.exists()


def test_failed_clone_is_a_clear_error_without_credentials(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError) as info, cloned(f"file://user:hunter2@{tmp_path}/nope.git"):
        pass
    assert "clone failed" in str(info.value)
    assert "hunter2" not in str(info.value)
