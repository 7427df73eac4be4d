"""Detection accuracy on real registry code: precision, recall and model-id recall.

Downloads the pinned packages of ``packages.txt`` (PyPI sdists with ``pip download``, npm
tarballs with ``npm pack``) into a cache, unpacks each into its own directory, scans them with
the real CLI (``aicensus scan`` into a temporary SQLite file, then ``aicensus inventory list
--format json``: the default view, medium and high confidence) and compares the AI systems found
in each package with the hand-checked labels of ``expected.yaml``.

    .venv/bin/python bench/accuracy/run.py                  # download (first run), scan, compare
    .venv/bin/python bench/accuracy/run.py --cache DIR      # default /tmp/aicensus-accuracy
    .venv/bin/python bench/accuracy/run.py --only KEY ...   # a few packages (keys as in expected)
    .venv/bin/python bench/accuracy/run.py --show KEY       # the evidence found in one package

Counting: one (package, product) pair is one decision. A product found and labelled is a true
positive, found and not labelled a false alarm, labelled and not found a miss. Model-id recall is
the share of labelled (package, product, model id) triples whose model the found system lists
(a missed product misses its models too). Every miss and false alarm is printed, with the reason
recorded in expected.yaml when it is a known, explained one (it still counts).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_CACHE = Path(os.environ.get("AICENSUS_ACCURACY_CACHE", "/tmp/aicensus-accuracy"))


@dataclass(frozen=True)
class Package:
    ecosystem: str  # pypi | npm
    name: str
    version: str
    wheel: bool = False

    @property
    def key(self) -> str:
        return f"{self.ecosystem}/{self.name.replace('/', '__')}-{self.version}"

    @property
    def spec(self) -> str:
        return (
            f"{self.name}=={self.version}"
            if self.ecosystem == "pypi"
            else f"{self.name}@{self.version}"
        )


def load_packages() -> list[Package]:
    packages = []
    for raw in (HERE / "packages.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        kind, spec = line.split()
        if kind in ("pypi", "pypi-wheel"):
            name, version = spec.split("==")
            packages.append(Package("pypi", name, version, wheel=kind == "pypi-wheel"))
        elif kind == "npm":
            name, _, version = spec.rpartition("@")
            packages.append(Package("npm", name, version))
        else:
            raise SystemExit(f"packages.txt: unknown kind {kind!r}")
    return packages


def load_expected() -> dict[str, dict[str, Any]]:
    raw = yaml.safe_load((HERE / "expected.yaml").read_text()) or {}
    expected: dict[str, dict[str, Any]] = {}
    for key, entry in raw.items():
        entry = entry or {}
        products = {}
        for item in entry.get("products") or []:
            products[item["product"]] = set(item.get("models") or [])
        expected[key] = {
            "products": products,
            "misses": entry.get("known_misses") or {},
            "false_alarms": entry.get("known_false_alarms") or {},
            "model_misses": entry.get("known_model_misses") or {},
            "note": entry.get("note", ""),
        }
    return expected


# -- download and unpack -------------------------------------------------------------------


def _run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def download(pkg: Package, cache: Path) -> Path:
    """The archive of ``pkg`` in the cache, downloading it on the first run."""
    folder = cache / "dl" / pkg.key
    done = folder / ".done"
    if done.exists():
        return next(p for p in folder.iterdir() if p.name != ".done")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if pkg.ecosystem == "pypi":
        base = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--ignore-requires-python",
            "-d",
            str(folder),
        ]
        # --no-binary NAME: the sdist of the package itself; its build backend may be a wheel
        binary = ["--only-binary", ":all:"] if pkg.wheel else ["--no-binary", pkg.name]
        proc = _run([*base, *binary, pkg.spec])
        if proc.returncode != 0 and not pkg.wheel:
            # no sdist (or its metadata cannot be prepared here): the wheel holds the same code
            proc = _run([*base, "--only-binary", ":all:", pkg.spec])
    else:
        proc = _run(["npm", "pack", "--silent", "--pack-destination", str(folder), pkg.spec])
    archives = list(folder.iterdir())
    if proc.returncode != 0 or len(archives) != 1:
        raise RuntimeError(f"download of {pkg.spec} failed: {proc.stderr.strip()[-400:]}")
    done.touch()
    return archives[0]


def unpack(pkg: Package, archive: Path, cache: Path) -> Path:
    """Unpack into ``cache/src/<key>`` (once); the single top-level folder is stripped."""
    dest = cache / "src" / pkg.key
    if (dest / ".done").exists():
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    tmp = Path(tempfile.mkdtemp(dir=cache))
    if archive.name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
    else:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp)
    entries = list(tmp.iterdir())
    top = entries[0] if len(entries) == 1 and entries[0].is_dir() else tmp
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(top), dest)
    shutil.rmtree(tmp, ignore_errors=True)
    for path in dest.rglob("*"):  # archives keep odd modes; make everything readable
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o644 | (0o111 if path.is_dir() else 0))
    (dest / ".done").touch()
    return dest


# -- scanning --------------------------------------------------------------------------------


SCAN_OPTIONS = {"pypi": [], "npm": ["--no-default-excludes"]}
"""CLI options per ecosystem. An npm tarball is what its author built for the registry: most ship
their code only as dist/ (or lib/, build/) bundles, which the default excludes (made for source
checkouts, where dist/ is build output) would skip, so npm tarballs are read whole. PyPI sdists
are source trees and are scanned with the defaults."""


def scan(dirs: dict[str, Path]) -> dict[str, list[dict[str, Any]]]:
    """Scan every directory as its own target (one CLI run per option set); systems per key."""
    cli = str(ROOT / ".venv" / "bin" / "aicensus")
    if not Path(cli).exists():
        cli = shutil.which("aicensus") or "aicensus"
    found: dict[str, list[dict[str, Any]]] = {key: [] for key in dirs}
    for ecosystem, options in SCAN_OPTIONS.items():
        group = {k: p for k, p in dirs.items() if k.startswith(ecosystem + "/")}
        if not group:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            db = f"sqlite:///{tmp}/accuracy.db"
            proc = _run([cli, "scan", "--db", db, *options, *map(str, group.values())])
            if proc.returncode not in (0, 3):
                why = proc.stderr[-2000:]
                raise RuntimeError(f"aicensus scan failed ({proc.returncode}): {why}")
            listing = _run([cli, "inventory", "list", "--db", db, "--format", "json"])
            if listing.returncode != 0:
                raise RuntimeError(f"inventory list failed: {listing.stderr[-2000:]}")
            doc = json.loads(listing.stdout)
        by_scope = {str(path.resolve()): key for key, path in group.items()}
        for system in doc["systems"]:
            key = by_scope.get(system["scope"]["id"])
            if key is not None:
                found[key].append(system)
    return found


def show(key: str, systems: list[dict[str, Any]]) -> None:
    print(f"== {key}")
    for s in systems:
        print(f"  {s['product']} ({s['category']}, {s['confidence']}) models={s['models']}")
        for ev in s.get("evidence", [])[:8]:
            where = f"{ev['signal']:12} {ev['confidence']:6} {ev['location']}"
            print(f"      {where}  {ev['snippet'][:90]}")


# -- comparison ------------------------------------------------------------------------------


def compare(
    expected: dict[str, dict[str, Any]], found: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    tp = fp = fn = 0
    models_total = models_found = 0
    rows: list[tuple[str, str, str, str]] = []  # kind, package, product, reason
    model_rows: list[tuple[str, str, str, str]] = []
    for key in sorted(found):
        exp = expected[key]
        got = {s["product"]: set(s["models"]) for s in found[key]}
        for product, models in exp["products"].items():
            models_total += len(models)
            if product in got:
                tp += 1
                hit = models & got[product]
                models_found += len(hit)
                model_rows.extend(
                    (key, product, m, exp["model_misses"].get(m, "(unexplained)"))
                    for m in sorted(models - hit)
                )
            else:
                fn += 1
                model_rows.extend(
                    (key, product, m, exp["model_misses"].get(m, "(unexplained)"))
                    for m in sorted(models)
                )
                rows.append(("MISS", key, product, exp["misses"].get(product, "(unexplained)")))
        for product in sorted(set(got) - set(exp["products"])):
            fp += 1
            reason = exp["false_alarms"].get(product, "(unexplained)")
            rows.append(("FALSE ALARM", key, product, reason))
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "model_recall": models_found / models_total if models_total else 1.0,
        "models_total": models_total,
        "models_found": models_found,
        "rows": rows,
        "model_rows": model_rows,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--only", nargs="*", default=None, help="package keys to run")
    ap.add_argument("--show", nargs="*", default=None, help="print the evidence of these keys")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()

    packages = load_packages()
    expected = load_expected()
    keys = {p.key for p in packages}
    unlabelled = sorted(keys - set(expected))
    stale = sorted(set(expected) - keys)
    if unlabelled or stale:
        print(f"expected.yaml out of step: unlabelled {unlabelled}, not in packages.txt {stale}")
        return 2
    if args.only:
        packages = [p for p in packages if p.key in set(args.only)]
    args.cache.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    dirs: dict[str, Path] = {}
    for pkg in packages:
        dirs[pkg.key] = unpack(pkg, download(pkg, args.cache), args.cache)
    fetched = time.monotonic() - started
    size = sum(f.stat().st_size for f in (args.cache / "dl").rglob("*") if f.is_file())

    started = time.monotonic()
    found = scan(dirs)
    scanned = time.monotonic() - started
    for key in args.show or []:
        show(key, found.get(key, []))

    result = compare(expected, found)
    using = sum(1 for k in dirs if expected[k]["products"])
    print(
        f"{len(dirs)} packages ({using} using AI, {len(dirs) - using} not), "
        f"{size / 1e6:.1f} MB of archives; fetch+unpack {fetched:.1f} s, scan {scanned:.1f} s"
    )
    print(
        f"products: {result['tp']} found, {result['fp']} false alarms, {result['fn']} missed\n"
        f"precision        {result['precision']:.3f}\n"
        f"recall           {result['recall']:.3f}\n"
        f"model-id recall  {result['model_recall']:.3f} "
        f"({result['models_found']}/{result['models_total']})"
    )
    if result["rows"]:
        print("\nmisses and false alarms:")
        width = max(len(r[1]) for r in result["rows"])
        for kind, key, product, reason in result["rows"]:
            print(f"  {kind:11} {key:{width}}  {product:22} {reason}")
    if result["model_rows"]:
        print("\nmodel ids labelled but not reported:")
        for key, product, model, reason in result["model_rows"]:
            print(f"  {key}  {product}: {model}  -- {reason}")
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if not k.endswith("rows")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
