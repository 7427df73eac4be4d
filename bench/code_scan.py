"""Code-scan speed against ripgrep on the standard corpus, both measured in the same run.

Usage: python bench/code_scan.py [--corpus DIR] [--runs N] [--jobs N]

Builds the corpus with ../shared/bench/make_corpus.sh when DIR has none, writes the catalog's
own keyword list, then times (warm page cache, median of N runs):
  ripgrep:  rg -uu -i -F -c -f KEYWORDS CORPUS
  aicensus: aicensus scan CORPUS --no-default-excludes --no-cache (fresh SQLite file each run)
and prints MB/s, files/s, peak memory (largest single process) and the ratio to ripgrep.

Then the rescans, each as a ratio to a first scan into an empty result cache and an empty
inventory, the rescans updating that same inventory as scheduled scans do (median of N):
  unchanged: the same tree again (files unchanged on disk: the stat path, nothing read)
  touched:   every file's mtime bumped, as a fresh clone would have (read and hashed, not parsed)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAKE_CORPUS = HERE.parent.parent / "shared" / "bench" / "make_corpus.sh"


def corpus_size(root: Path) -> tuple[int, int]:
    files = size = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and the peak RSS (KiB) of the largest child process."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1, 3):
        sys.exit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def touch_all(root: Path) -> None:
    """Give every file a new mtime (and ctime), as a fresh checkout of the same commit has."""
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.utime(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/aicensus-bench"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()

    corpus = args.corpus / "corpus"
    if not corpus.is_dir():
        subprocess.run(["bash", str(MAKE_CORPUS), str(args.corpus)], check=True)
    rg = shutil.which("rg")
    if rg is None:
        sys.exit("ripgrep (rg) is needed for the baseline: apt-get install ripgrep")
    aicensus = shutil.which("aicensus") or str(Path(sys.executable).parent / "aicensus")

    sys.path.insert(0, str(HERE.parent))
    from fingerprints.catalog import load_catalog

    keywords = load_catalog().keywords
    work = Path(tempfile.mkdtemp(prefix="aicensus-bench-"))
    kw_file = work / "keywords.txt"
    kw_file.write_text("\n".join(keywords) + "\n")
    files, size = corpus_size(corpus)

    rg_cmd = [rg, "-uu", "-i", "-F", "-c", "-f", str(kw_file), str(corpus)]
    timed(rg_cmd)  # warm the page cache
    rg_times = [timed(rg_cmd)[0] for _ in range(args.runs)]

    scan_times: list[float] = []
    peak_kib = 0
    for i in range(args.runs):
        db = work / f"scan{i}.db"
        cmd = [
            aicensus,
            "scan",
            str(corpus),
            "--db",
            f"sqlite:///{db}",
            "--no-default-excludes",
            "--jobs",
            str(args.jobs),
            "--no-cache",
        ]
        wall, peak = timed(cmd)
        scan_times.append(wall)
        peak_kib = max(peak_kib, peak)

    first_times: list[float] = []
    unchanged_times: list[float] = []
    touched_times: list[float] = []
    for i in range(args.runs):
        cache = work / f"cache{i}"
        base = [aicensus, "scan", str(corpus), "--no-default-excludes", "--jobs", str(args.jobs)]
        base += ["--cache-dir", str(cache)]
        # One inventory across the three, as a scheduled scan keeps: the rescans update it.
        base += ["--db", f"sqlite:///{work / f'c{i}.db'}"]
        first_times.append(timed(base)[0])
        unchanged_times.append(timed(base)[0])
        touch_all(corpus)
        touched_times.append(timed(base)[0])
        shutil.rmtree(cache, ignore_errors=True)

    rg_wall = statistics.median(rg_times)
    scan_wall = statistics.median(scan_times)
    result = {
        "corpus_files": files,
        "corpus_mb": round(size / 1e6, 1),
        "keywords": len(keywords),
        "ripgrep_s": round(rg_wall, 2),
        "aicensus_s": round(scan_wall, 2),
        "ratio_to_ripgrep": round(scan_wall / rg_wall, 2),
        "aicensus_mb_per_s": round(size / 1e6 / scan_wall, 1),
        "aicensus_files_per_s": round(files / scan_wall),
        "peak_rss_mb_largest_process": round(peak_kib / 1024),
        "first_scan_with_cache_s": round(statistics.median(first_times), 2),
        "rescan_unchanged_s": round(statistics.median(unchanged_times), 2),
        "rescan_unchanged_ratio": round(
            statistics.median(u / f for u, f in zip(unchanged_times, first_times, strict=True)), 3
        ),
        "rescan_touched_s": round(statistics.median(touched_times), 2),
        "rescan_touched_ratio": round(
            statistics.median(t / f for t, f in zip(touched_times, first_times, strict=True)), 3
        ),
        "cpus": os.cpu_count(),
        "runs": args.runs,
    }
    print(json.dumps(result, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
