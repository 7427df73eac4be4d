"""Owner hints from CODEOWNERS (last matching rule wins) and recent committers."""

from __future__ import annotations

from connectors.code.owners import load_owner_hints


def test_codeowners_last_matching_rule_wins(make_tree) -> None:
    root = make_tree(
        {
            ".github/CODEOWNERS": (
                "# owners\n*  @acme/platform\n/bot/ @acme/ml-team alice@acme.example\n"
                "*.ts @acme/web\n[Section]\n"
            ),
            "bot/app.py": "x",
            "web/chat.ts": "x",
            "README.md": "x",
        }
    )
    hints = load_owner_hints(root)
    bot = hints.owners_for(["bot/app.py"])
    assert [(h.owner, h.source) for h in bot] == [
        ("@acme/ml-team", "codeowners"),
        ("alice@acme.example", "codeowners"),
    ]
    assert bot[0].detail == "CODEOWNERS: /bot/ @acme/ml-team alice@acme.example"
    assert [h.owner for h in hints.owners_for(["web/chat.ts"])] == ["@acme/web"]
    assert [h.owner for h in hints.owners_for(["README.md"])] == ["@acme/platform"]


def test_most_frequent_committers_of_the_evidence_paths(make_tree, git) -> None:
    root = make_tree({"bot/app.py": "1", "other.py": "1"})
    git(root, "init", "-q")
    for author, content in [("Ann", "2"), ("Bob", "3"), ("Ann", "4")]:
        (root / "bot" / "app.py").write_text(content)
        git(root, "add", ".")
        git(
            root,
            "-c",
            f"user.name={author}",
            "-c",
            f"user.email={author.lower()}@x.example",
            "commit",
            "-qm",
            content,
        )
    (root / "other.py").write_text("2")
    git(root, "-c", "user.name=Cy", "-c", "user.email=cy@x.example", "commit", "-qam", "o")
    hints = load_owner_hints(root)
    owners = [(h.owner, h.source) for h in hints.owners_for(["bot/app.py"])]
    assert owners[:2] == [
        ("Ann <ann@x.example>", "committer"),
        ("Bob <bob@x.example>", "committer"),
    ]
    assert ("Cy <cy@x.example>", "committer") not in owners


def test_no_git_and_no_codeowners_means_no_hints(make_tree) -> None:
    root = make_tree({"a.py": "x"})
    assert load_owner_hints(root).owners_for(["a.py"]) == []
