"""Keyword hygiene: how often each prefilter keyword occurs in general (non-AI) code.

Every import/call/package/host/env rule of a fingerprint adds literal keywords to the prefilter
automaton (``fingerprints.catalog.compile_catalog``). A keyword that ordinary code contains
("ai", "ray", "agents", "camel") lets that code through to the parser and costs scan speed.
This walks one or more directories of general code, classifies files as the engine does (only
files it would read count), and prints for every keyword the share of files that contain it and
the share that pass the prefilter *only* because of it.

    .venv/bin/python bench/accuracy/keywords.py [DIR ...] [--top 40] [--fail-above 0.5]

With no DIR it reads the general-purpose code this machine already has: the standard library and
the project's own virtualenv (pydantic, sqlalchemy, mypy, pygments, rich, pip, ...), plus the
non-AI bait packages of bench/accuracy when they have been downloaded.
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
from collections import Counter
from pathlib import Path

import ahocorasick_rs

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from detectors.engine import classify  # noqa: E402
from fingerprints.catalog import compile_catalog, load_files  # noqa: E402

MAX_BYTES = 2 * 1024 * 1024


def default_dirs() -> list[Path]:
    dirs = [Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])]
    cache = Path(os.environ.get("AICENSUS_ACCURACY_CACHE", "/tmp/aicensus-accuracy")) / "src"
    if cache.is_dir():
        # only the packages labelled as using no AI at all
        sys.path.insert(0, str(Path(__file__).parent))
        from run import load_expected  # noqa: PLC0415

        for name, entry in load_expected().items():
            if not entry["products"] and (cache / name).is_dir():
                dirs.append(cache / name)
    return [d for d in dirs if d.is_dir()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="report only the keywords that these fingerprint files (ids) add to the rest",
    )
    ap.add_argument(
        "--fail-above",
        type=float,
        default=None,
        help="exit 1 if a keyword alone lets more than this %% of files through",
    )
    args = ap.parse_args()
    dirs = args.dirs or default_dirs()
    files = load_files()
    keywords = list(compile_catalog(files).keywords)
    own: set[str] | None = None
    if args.only is not None:
        others = [f for f in files if f.id not in set(args.only)]
        own = set(keywords) - set(compile_catalog(others).keywords)
    automaton = ahocorasick_rs.BytesAhoCorasick([k.encode() for k in keywords])
    total = passed = 0
    containing: Counter[int] = Counter()
    alone: Counter[int] = Counter()
    for base in dirs:
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d not in {".git", "node_modules", "__pycache__"}]
            for name in filenames:
                path = Path(dirpath, name)
                rel = str(path.relative_to(base))
                if classify(rel) is None or path.is_symlink():
                    continue
                try:
                    data = path.read_bytes()[:MAX_BYTES]
                except OSError:
                    continue
                total += 1
                found = {i for i, _, _ in automaton.find_matches_as_indexes(data.lower())}
                if not found:
                    continue
                passed += 1
                containing.update(found)
                if len(found) == 1:
                    alone.update(found)
    if not total:
        print("no files read")
        return 1
    print(f"corpus: {total} files the engine reads, from {len(dirs)} directories")
    print(f"prefilter passes {passed} files ({100 * passed / total:.2f} %)")
    shown = [k for k in keywords if own is None or k in own]
    shortest = sorted(shown, key=len)[:12]
    print(f"keywords: {len(shown)} reported of {len(keywords)}; shortest: {shortest}")
    if own is not None:
        only_own = sum(n for i, n in alone.items() if keywords[i] in own)
        share = 100 * only_own / total
        print(f"files passing only because of a reported keyword: {only_own} ({share:.2f} %)")
    print(f"\n{'keyword':40} {'files %':>8} {'alone %':>8}")
    worst = 0.0
    ranked = sorted(containing.items(), key=lambda kv: (-alone[kv[0]], -kv[1]))
    for i, n in [kv for kv in ranked if own is None or keywords[kv[0]] in own][: args.top]:
        share_alone = 100 * alone[i] / total
        worst = max(worst, share_alone)
        print(f"{keywords[i]:40} {100 * n / total:8.3f} {share_alone:8.3f}")
    if args.fail_above is not None and worst > args.fail_above:
        print(f"\nFAIL: a keyword alone passes {worst:.3f} % of files (> {args.fail_above} %)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
