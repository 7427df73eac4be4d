"""One scan: resolve targets, walk them, detect in parallel, write the inventory once.

Files are scanned in worker processes (tree-sitter parsing is CPU-bound); small targets are
scanned in-process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import posixpath
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from connectors.base import (
    CloudConnector,
    ConnectorError,
    Coverage,
    FileRef,
    NullProgress,
    Outcome,
    OwnerHint,
    ProgressSink,
    Scope,
)
from connectors.code.git import cloned, is_git_url, normalise_git_url, redact_url
from connectors.code.local import LocalDirectory, WalkOptions
from connectors.code.owners import load_owner_hints
from detectors.base import Finding
from detectors.cloud import detect_resource
from detectors.code.notebook import notebook_path
from detectors.engine import (
    FileKind,
    FileResult,
    ScanOptions,
    classify,
    finalize_scope,
    may_be_script,
    provider_of_directory,
    provider_trees,
    scan_file,
)
from detectors.manifests import manifest_kind
from fingerprints.catalog import Catalog, load_catalog
from inventory_db.identity import identity_key
from inventory_db.store import ScanRecord, Store
from scanner import __version__
from scanner.cache import ContentMemo, ResultCache

logger = logging.getLogger(__name__)

IN_PROCESS_MAX_FILES = 400
"""Targets with at most this many files are scanned without worker processes."""
CHUNK_FILES = 64
CHUNK_BYTES = 8 * 1024 * 1024


class RepoSource(Protocol):
    """A source of code checkouts, e.g. every repository of a GitHub organisation.

    Each repository comes with the scope its findings belong to (the normalised repository URL,
    the same scope a local clone of it gets) and a context manager that fetches the checkout on
    entry and removes it on exit, so only one checkout is on disk at a time. A checkout that
    cannot be fetched raises :class:`~connectors.base.ConnectorError` on entry; the scan records
    that repository as failed (its systems turn ``unknown``) and goes on with the next.
    """

    name: str
    """What the scan shows for the source: ``github.com/acme``."""

    def repositories(
        self, coverage: Coverage, progress: ProgressSink
    ) -> Iterator[tuple[Scope, AbstractContextManager[Path]]]:
        """Yield each repository's scope and checkout; record listing failures in coverage."""
        ...


@dataclass(frozen=True)
class ScanRequest:
    """Everything one scan needs to know."""

    targets: tuple[str, ...]
    walk: WalkOptions = WalkOptions()
    options: ScanOptions = ScanOptions()
    jobs: int = 0
    """Worker processes; 0 means one per CPU."""
    deep: bool = False
    """Also read the files of packages that provide a catalog product (their own SDK code)."""
    clouds: tuple[CloudConnector, ...] = ()
    """Cloud and SaaS sources, read after the code targets."""
    repo_sources: tuple[RepoSource, ...] = ()
    """Sources of many repositories (a GitHub organisation), scanned like code targets."""
    cache_dir: Path | None = None
    """Where per-file results are remembered between scans (None: no cache)."""
    concurrency: int = 1
    """Sources read at once. The code targets and repository sources are one lane (they share
    the worker processes and the result cache, one checkout at a time); each cloud or SaaS
    connector is read in a thread of its own while they run. 1 reads everything in turn."""


@dataclass
class TargetOutcome:
    """How one target went."""

    target: str
    scope: Scope | None
    files: int = 0
    findings: int = 0
    error: str | None = None
    kind: str = "code"
    """``code`` for a checkout (``files`` are files), ``cloud`` for a cloud or SaaS source
    (``files`` are the resources it observed)."""
    problems: list[str] = field(default_factory=list)
    """Areas of a cloud or SaaS source that were denied or failed (the source is partial)."""


@dataclass
class ScanResult:
    """What a finished scan returns to its caller."""

    scan: ScanRecord
    findings: list[Finding]
    coverage: Coverage
    targets: list[TargetOutcome] = field(default_factory=list)
    reused: int = 0
    """Files whose remembered result was reused (unchanged stat or content)."""
    reused_unread: int = 0
    """Of those, the files not even read (their stat signature was unchanged)."""


class Progress:
    """Receives progress; the CLI renders it, tests and libraries may ignore it."""

    def target_started(self, target: str, total_files: int | None) -> None:
        """A target is about to be walked and scanned (its file count may not be known yet)."""

    def files_found(self, total: int) -> None:
        """The walk has found ``total`` files of the current target so far."""

    def files_done(self, count: int, findings: int) -> None:
        """``count`` more files were scanned, producing ``findings`` findings."""

    def target_finished(self, outcome: TargetOutcome) -> None:
        """A target ended (successfully or not)."""

    def cloud(self) -> ProgressSink:
        """Where cloud connectors report their per-account/region progress."""
        return NullProgress()

    def source_started(self, name: str) -> None:
        """A cloud or SaaS source started; it may run in a thread beside the code targets."""
        self.target_started(name, None)

    def source_finished(self, outcome: TargetOutcome) -> None:
        """A cloud or SaaS source ended (called from the thread that read it)."""
        self.target_finished(outcome)


Learned = dict[str, tuple[bytes, str | None]]


def _scan_chunk(
    scope: Scope, refs: Sequence[FileRef], options: ScanOptions, memo: ContentMemo | None
) -> tuple[list[FileResult], Learned]:
    catalog = load_catalog()
    results = [scan_file(catalog, scope, ref, options, memo) for ref in refs]
    return results, memo.learned if memo is not None else {}


class _Workers:
    """A lazily started process pool shared by all targets of one scan."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: the CLI runs a progress thread, and forking a threaded process is unsafe.
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


class _Dispatcher:
    """Streams files to the workers in chunks while the walk goes on.

    The first :data:`IN_PROCESS_MAX_FILES` files are held back: a target no larger than that is
    scanned in-process at the end, where starting worker processes would cost more than it saves.
    """

    def __init__(
        self,
        scope: Scope,
        options: ScanOptions,
        workers: _Workers,
        on_results: Callable[[list[FileResult]], None],
        cache: ResultCache | None = None,
    ) -> None:
        self.scope = scope
        self.options = options
        self.workers = workers
        self.on_results = on_results
        self.cache = cache
        self.held: list[FileRef] = []
        self.chunk: list[FileRef] = []
        self.chunk_bytes = 0
        self.pending: dict[Future[tuple[list[FileResult], Learned]], list[FileRef]] = {}
        self.parallel = False

    def _memo(self) -> ContentMemo | None:
        return self.cache.memo(self.scope) if self.cache is not None else None

    def _done(self, refs: list[FileRef], outcome: tuple[list[FileResult], Learned]) -> None:
        results, learned = outcome
        if self.cache is not None:
            memo = self.cache.memo(self.scope)
            memo.learned = learned
            self.cache.learn(refs, memo)
        self.on_results(results)

    def add(self, ref: FileRef) -> None:
        if not self.parallel:
            self.held.append(ref)
            if len(self.held) > IN_PROCESS_MAX_FILES and self.workers.jobs > 1:
                self.parallel = True
                held, self.held = self.held, []
                for r in held:
                    self._to_chunk(r)
            return
        self._to_chunk(ref)

    def _to_chunk(self, ref: FileRef) -> None:
        self.chunk.append(ref)
        self.chunk_bytes += ref.size
        if len(self.chunk) >= CHUNK_FILES or self.chunk_bytes >= CHUNK_BYTES:
            self._submit()

    def _submit(self) -> None:
        if not self.chunk:
            return
        pool = self.workers.pool()
        future = pool.submit(_scan_chunk, self.scope, self.chunk, self.options, self._memo())
        self.pending[future] = self.chunk
        self.chunk, self.chunk_bytes = [], 0
        if len(self.pending) >= self.workers.jobs * 4:
            done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
            for fut in done:
                self._done(self.pending.pop(fut), fut.result())

    def finish(self) -> None:
        """Scan what is held or queued and wait for every result."""
        for start in range(0, len(self.held), CHUNK_FILES):
            refs = self.held[start : start + CHUNK_FILES]
            self._done(refs, _scan_chunk(self.scope, refs, self.options, self._memo()))
        self.held = []
        self._submit()
        for fut, refs in self.pending.items():
            self._done(refs, fut.result())
        self.pending = {}


@contextmanager
def _open_target(target: str, walk: WalkOptions) -> Iterator[LocalDirectory]:
    if is_git_url(target):
        with cloned(target) as path:
            scope = Scope(
                "code", normalise_git_url(target), normalise_git_url(target).rsplit("/", 1)[-1]
            )
            yield LocalDirectory(path, walk, scope=scope)
    else:
        yield LocalDirectory(Path(target), walk)


def _scan_target(
    source: LocalDirectory,
    request: ScanRequest,
    workers: _Workers,
    coverage: Coverage,
    progress: Progress,
    cache: ResultCache | None = None,
) -> tuple[list[Finding], int]:
    """Walk and scan one target, streaming files to the workers; returns findings and file count.

    Manifests are read in-process as the walk meets them. A package whose own manifest declares
    it to *be* a catalog product (the ``openai`` SDK, the ``langchain-openai`` integration)
    provides that product; the vendors it wraps inside its own tree are what it provides, not
    what it uses. Unless ``request.deep``, the files of such a tree are not read at all (recorded
    in coverage). The walk yields a directory's files before its subdirectories, and files are
    held per directory until it is complete, so a manifest is always read before its tree.
    """
    scope = source.scope
    catalog = load_catalog()
    found: list[Finding] = []
    providers: dict[str, str] = {}

    def collect(results: list[FileResult]) -> None:
        n = 0
        for res in results:
            if res.skip_reason is not None:
                coverage.skip(scope, res.relpath, res.skip_reason)
            for note in res.notes:
                coverage.skip(scope, res.relpath, note)
            found.extend(res.findings)
            n += len(res.findings)
        progress.files_done(len(results), n)

    if cache is not None:
        cache.begin(scope)
    dispatcher = _Dispatcher(scope, request.options, workers, collect, cache)
    skipped_in: dict[str, int] = {}
    directory_files: list[FileRef] = []
    current_dir: str | None = None
    total = 0

    def flush_directory() -> None:
        ignored = 0
        # Files whose stat signature is unchanged since the last scan are neither read nor
        # classified: their remembered result says everything, including being a manifest.
        known: dict[str, tuple[FileResult, bool]] = {}
        if cache is not None:
            for ref in directory_files:
                if (hit := cache.by_stat(ref, scope)) is not None:
                    known[ref.relpath] = hit
        # Inside a package tree an ancestor's manifest already owns, only manifests are read:
        # the other files need no classifying.
        inherited = (
            provider_of_directory(providers, current_dir or "")
            if providers and not request.deep and directory_files
            else None
        )
        kinds = {
            ref.relpath: classify(ref.relpath, request.options.include_docs)
            if inherited is None or manifest_kind(ref.relpath) is not None
            else None
            for ref in directory_files
            if ref.relpath not in known
        }
        manifests: list[FileResult] = []
        for ref in directory_files:
            hit = known.get(ref.relpath)
            kind = kinds.get(ref.relpath)
            if hit is not None and hit[1]:
                manifests.append(hit[0])
            elif kind is not None and kind[0] is FileKind.MANIFEST:
                manifests.append(_scan_in_process(catalog, scope, ref, request.options, cache))
        if manifests:
            collect(manifests)
            for result in manifests:
                providers.update(provider_trees(result.findings))
        # One directory at a time: the package tree that owns it, if any, is the same for all;
        # only a manifest read just now can have changed it.
        owner = inherited
        if manifests and providers and not request.deep:
            owner = provider_of_directory(providers, current_dir or "")
        reused: list[FileResult] = []
        for ref in directory_files:
            hit = known.get(ref.relpath)
            kind = kinds.get(ref.relpath)
            if (hit is not None and hit[1]) or (kind is not None and kind[0] is FileKind.MANIFEST):
                continue
            if owner is not None:
                skipped_in[owner] = skipped_in.get(owner, 0) + 1
                ignored += 1
            elif hit is not None:
                reused.append(hit[0])
            elif kind is None and not may_be_script(ref.relpath):
                ignored += 1  # no detector reads this kind of file: no need to ship it
                if cache is not None:
                    cache.learn_ignored(ref)
            else:
                dispatcher.add(ref)
        if reused:
            collect(reused)
        progress.files_done(ignored, 0)
        directory_files.clear()

    for ref in source.files(coverage):
        total += 1
        directory = posixpath.dirname(ref.relpath)
        if directory != current_dir:
            flush_directory()
            current_dir = directory
            progress.files_found(total)
        directory_files.append(ref)
    flush_directory()
    progress.files_found(total)
    dispatcher.finish()
    if cache is not None:
        cache.commit(scope)
    for directory, product in sorted(providers.items()):
        if skipped_in.get(product):
            coverage.skip(
                scope,
                directory or ".",
                f"package that provides {product}: its own files are not read "
                "(--deep reads them, as low confidence)",
            )
    return finalize_scope(found), total


def _scan_in_process(
    catalog: Catalog, scope: Scope, ref: FileRef, options: ScanOptions, cache: ResultCache | None
) -> FileResult:
    """Scan one file here (manifests must be read before their tree is dispatched)."""
    if cache is None:
        return scan_file(catalog, scope, ref, options)
    memo = cache.memo(scope)
    result = scan_file(catalog, scope, ref, options, memo)
    cache.learn([ref], memo, manifest=True)
    return result


def run_scan(store: Store, request: ScanRequest, progress: Progress | None = None) -> ScanResult:
    """Run one scan over every target and record it; a failing target never sinks the others."""
    progress = progress or Progress()
    shown_targets = [redact_url(t) for t in request.targets]
    sources = [*shown_targets, *(r.name for r in request.repo_sources)]
    scan_id = store.begin_scan([*sources, *(c.name for c in request.clouds)], __version__)
    coverage = Coverage()
    all_findings: list[Finding] = []
    outcomes: list[TargetOutcome] = []
    owner_hints: dict[str, list[OwnerHint]] = {}
    workers = _Workers(request.jobs)
    cache = (
        ResultCache.open(request.cache_dir, load_catalog(), request.options)
        if request.cache_dir is not None and (request.targets or request.repo_sources)
        else None
    )
    try:
        with ExitStack() as stack:
            stack.callback(workers.close)
            has_code = bool(request.targets or request.repo_sources)
            clouds = stack.enter_context(
                _CloudLane(request.clouds, request.concurrency - has_code, progress)
            )
            if cache is not None:
                stack.callback(cache.close)
                stack.callback(cache.prune)
            for target, shown in zip(request.targets, shown_targets, strict=True):
                outcome = TargetOutcome(shown, None)
                outcomes.append(outcome)
                try:
                    with _open_target(target, request.walk) as source:
                        outcome.scope = source.scope
                        progress.target_started(shown, None)
                        found = _scan_checkout(
                            source, outcome, request, workers, coverage, progress, cache
                        )
                        all_findings.extend(found)
                        owner_hints.update(_suggest_owners(source.root, found))
                except ConnectorError as err:
                    outcome.error = str(err)
                    scope = outcome.scope or Scope("code", _target_scope_id(target), shown)
                    outcome.scope = scope
                    coverage.record(scope, "code", Outcome.ERROR, str(err))
                progress.target_finished(outcome)
            for repo_source in request.repo_sources:
                found_in, hints_in = _scan_repo_source(
                    repo_source, request, workers, coverage, progress, cache, outcomes
                )
                all_findings.extend(found_in)
                owner_hints.update(hints_in)
            for outcome, found, read in clouds.results():
                outcomes.append(outcome)
                coverage.areas.extend(read.areas)
                coverage.skips.extend(read.skips)
                all_findings.extend(found)
                for key, hints in _tag_owners(found).items():
                    owner_hints.setdefault(key, []).extend(hints)
    except BaseException as err:
        store.fail_scan(scan_id, f"interrupted: {type(err).__name__}: {err}")
        raise
    files = sum(o.files for o in outcomes)
    record = store.complete_scan(scan_id, all_findings, coverage, files, owner_hints)
    if outcomes and all(o.error for o in outcomes):
        store.fail_scan(scan_id, "; ".join(o.error or "" for o in outcomes))
        record = store.scan(scan_id) or record
    reused = cache.stat_hits + cache.content_hits if cache is not None else 0
    unread = cache.stat_hits if cache is not None else 0
    return ScanResult(record, all_findings, coverage, outcomes, reused, unread)


def _scan_checkout(
    source: LocalDirectory,
    outcome: TargetOutcome,
    request: ScanRequest,
    workers: _Workers,
    coverage: Coverage,
    progress: Progress,
    cache: ResultCache | None,
) -> list[Finding]:
    """Scan one checkout and record its ``code`` area as read."""
    found, total = _scan_target(source, request, workers, coverage, progress, cache)
    outcome.files = total
    outcome.findings = len(found)
    coverage.record(source.scope, "code", Outcome.OK)
    return found


def _scan_repo_source(
    repo_source: RepoSource,
    request: ScanRequest,
    workers: _Workers,
    coverage: Coverage,
    progress: Progress,
    cache: ResultCache | None,
    outcomes: list[TargetOutcome],
) -> tuple[list[Finding], dict[str, list[OwnerHint]]]:
    """Scan every repository a source yields, one checkout on disk at a time.

    A repository that cannot be fetched or read is recorded as an ERROR of its ``code`` area (its
    systems turn ``unknown`` in the next diff, never ``removed``) and the next one is scanned; a
    source that breaks down while listing is recorded the same way and ends only itself.
    """
    found: list[Finding] = []
    hints: dict[str, list[OwnerHint]] = {}
    listed = 0
    try:
        for scope, checkout in repo_source.repositories(coverage, progress.cloud()):
            listed += 1
            shown = scope.name or scope.id
            outcome = TargetOutcome(shown, scope)
            outcomes.append(outcome)
            progress.target_started(shown, None)
            try:
                with checkout as path:
                    source = LocalDirectory(path, request.walk, scope=scope)
                    repo_found = _scan_checkout(
                        source, outcome, request, workers, coverage, progress, cache
                    )
                    found.extend(repo_found)
                    hints.update(_suggest_owners(source.root, repo_found))
            except Exception as err:  # one repository never sinks the scan; it turns unknown
                if not isinstance(err, ConnectorError | OSError):
                    logger.warning("%s: scanning %s failed", repo_source.name, shown, exc_info=True)
                message = _describe(err)
                outcome.error = message
                coverage.record(scope, "code", Outcome.ERROR, message)
            progress.target_finished(outcome)
    except Exception as err:  # the listing broke down: what was not listed turns unknown
        logger.warning("%s: listing repositories failed", repo_source.name, exc_info=True)
        outcome = TargetOutcome(repo_source.name, None, error=_describe(err))
        outcomes.append(outcome)
        coverage.record(
            Scope("code", repo_source.name, repo_source.name),
            "repositories",
            Outcome.ERROR,
            _describe(err),
        )
        progress.target_finished(outcome)
    logger.debug("%s: %d repositories", repo_source.name, listed)
    return found, hints


def _describe(err: BaseException) -> str:
    """``Type: message`` for an unexpected error, for coverage and the summary."""
    return str(err) if isinstance(err, ConnectorError) else f"{type(err).__name__}: {err}"


OWNER_TAGS = ("owner", "Owner", "OWNER", "owner-email", "team", "Team", "contact", "created-by")
"""Resource tags whose value suggests who owns the resource (first present wins per tag)."""


class _CloudLane:
    """Reads the cloud and SaaS sources, in threads beside the code lane when there are slots.

    Each source records into a coverage of its own (merged in source order afterwards), so its
    outcome can say which of *its* areas were refused, and the scan's coverage, findings and
    outcomes come out in the same order whatever the timing. With no free slot the sources are
    read in turn when :meth:`results` is asked for, after the code targets.
    """

    def __init__(
        self, connectors: Sequence[CloudConnector], slots: int, progress: Progress
    ) -> None:
        self.connectors = connectors
        self.progress = progress
        self.pool: ThreadPoolExecutor | None = None
        self.futures: list[Future[tuple[TargetOutcome, list[Finding], Coverage]]] = []
        if connectors and slots >= 1:
            self.pool = ThreadPoolExecutor(
                max_workers=min(slots, len(connectors)), thread_name_prefix="aicensus-source"
            )
            self.futures = [self.pool.submit(self._read, c) for c in connectors]

    def __enter__(self) -> _CloudLane:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            # On an interrupt, sources not yet started never start; running ones end on their own.
            self.pool.shutdown(wait=exc[0] is None, cancel_futures=True)

    def _read(self, connector: CloudConnector) -> tuple[TargetOutcome, list[Finding], Coverage]:
        outcome = TargetOutcome(connector.name, None, kind="cloud")
        read = Coverage()
        self.progress.source_started(connector.name)
        found = _scan_cloud(connector, read, self.progress.cloud(), outcome)
        outcome.problems = [
            f"{area.scope.name or area.scope.id} {area.area}: {area.outcome.value}"
            + (f" ({area.message})" if area.message else "")
            for area in read.failed
            if area.area != "*"  # the whole source failing is its error, already
        ]
        self.progress.source_finished(outcome)
        return outcome, found, read

    def results(self) -> Iterator[tuple[TargetOutcome, list[Finding], Coverage]]:
        """Each source's outcome, findings and coverage, in the order the sources were given."""
        if self.pool is None:
            for connector in self.connectors:
                yield self._read(connector)
            return
        for future in self.futures:
            yield future.result()


def _scan_cloud(
    connector: CloudConnector, coverage: Coverage, sink: ProgressSink, outcome: TargetOutcome
) -> list[Finding]:
    """Read one cloud source; a connector that breaks down is recorded, never fatal to the scan."""
    catalog = load_catalog()
    found: list[Finding] = []
    try:
        for observation in connector.observe(coverage, sink):
            outcome.files += 1
            found.extend(detect_resource(catalog, observation))
    except Exception as err:  # one failing source never sinks a scan; its areas turn unknown
        logger.warning("%s connector failed", connector.name, exc_info=True)
        outcome.error = f"{connector.name}: {type(err).__name__}: {err}"
        coverage.record(Scope(connector.name, "*", connector.name), "*", Outcome.ERROR, str(err))
    outcome.findings = len(found)
    return found


def _tag_owners(findings: list[Finding]) -> dict[str, list[OwnerHint]]:
    """Owner suggestions from the owner/team tags of managed resources."""
    hints: dict[str, list[OwnerHint]] = {}
    for f in findings:
        if not f.instance:
            continue
        for tag in OWNER_TAGS:
            value = f.attributes.get(f"tag:{tag}")
            if value:
                key = identity_key(f.scope, f.product_id, f.instance)
                hint = OwnerHint(value, "tag", f"{tag} tag on {f.instance_name or f.instance}")
                if hint not in hints.setdefault(key, []):
                    hints[key].append(hint)
    return hints


def _suggest_owners(root: Path, findings: list[Finding]) -> dict[str, list[OwnerHint]]:
    """Owner suggestions per system, from the paths of its (non-noise) evidence."""
    paths: dict[str, set[str]] = {}
    for f in findings:
        if "reason" not in f.attributes:
            path = notebook_path(f.location.locator)  # a notebook cell's file
            paths.setdefault(identity_key(f.scope, f.product_id), set()).add(path)
    if not paths:
        return {}
    hints = load_owner_hints(root)
    return {key: found for key, locs in paths.items() if (found := hints.owners_for(locs))}


def _target_scope_id(target: str) -> str:
    if is_git_url(target):
        return normalise_git_url(target)
    try:
        return str(Path(target).resolve())
    except (OSError, RuntimeError):
        return target
