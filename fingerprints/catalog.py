"""Load every fingerprint file once and compile it into an immutable, fast-to-query catalog.

The catalog is what detectors consult: one keyword automaton for the prefilter (a file with no
keyword is never parsed) plus lookup maps from imports, calls, packages, hosts, environment
variable names and model ids to products.
"""

from __future__ import annotations

import fnmatch
import logging
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import ahocorasick_rs
import yaml
from pydantic import ValidationError

from fingerprints.schema import (
    CallRule,
    Example,
    FingerprintFile,
    KeyRule,
    Product,
    normalise_package,
)

logger = logging.getLogger(__name__)

FAMILIES = ("vendors", "frameworks", "platforms", "servers", "keys", "saas")
"""Sub-folders of the package that hold fingerprint files (vendors, frameworks, cloud platforms,
self-hosted model servers, API key formats, SaaS AI apps)."""

JS_LANGUAGES = frozenset({"javascript", "typescript", "tsx"})

_MODEL_SHAPE = re.compile(r"[-0-9./:@]")
"""Nearly every model id holds a digit or separator; plain words are checked against the few
literal ids that do not (``sonar``), so most code strings skip the model regex entirely."""
_PLAIN_WORD = re.compile(r"^[A-Za-z_]+$")


class CatalogError(Exception):
    """A fingerprint file is malformed; the message names the file, the key and the reason."""


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """What a finding needs to know about a product."""

    id: str
    name: str
    vendor: str
    vendor_name: str
    category: str
    fingerprint_id: str


@dataclass(frozen=True, slots=True)
class CompiledKeyRule:
    """A key format ready to run: which product it belongs to and its compiled regex."""

    rule: KeyRule
    product_id: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class ExampleCase:
    """One example of one product, with where it came from (for test ids and error messages)."""

    fingerprint_id: str
    product_id: str
    index: int
    example: Example

    @property
    def name(self) -> str:
        """A readable id: ``openai/openai#3``."""
        return f"{self.fingerprint_id}/{self.product_id}#{self.index}"


def rule_language(language: str) -> str:
    """The rule language that applies to a source language (TypeScript uses JavaScript rules,
    Kotlin uses Java rules)."""
    if language in JS_LANGUAGES:
        return "javascript"
    return "java" if language == "kotlin" else language


@dataclass(frozen=True)
class Catalog:
    """The compiled catalog. Build it with :func:`load_catalog`; never mutate it."""

    files: tuple[FingerprintFile, ...]
    products: Mapping[str, ProductInfo]
    imports: Mapping[str, Mapping[str, tuple[str, ...]]]
    calls: Mapping[str, Mapping[str, tuple[tuple[CallRule, str], ...]]]
    packages: Mapping[str, Mapping[str, tuple[str, ...]]]
    hosts: Mapping[str, tuple[str, ...]]
    host_suffixes: Mapping[str, tuple[str, ...]]
    env_vars: Mapping[str, tuple[str, ...]]
    key_stems: Mapping[str, tuple[str, ...]]
    """``OPENAI`` -> products, from variables named ``<STEM>_API_KEY`` (``_API_TOKEN``, ``_TOKEN``,
    ``_KEY``): how a secret store's entry name (``prod/openai/key``) hints at a product."""
    supersedes: Mapping[str, frozenset[str]]
    key_rules: tuple[CompiledKeyRule, ...]
    images: Mapping[str, tuple[str, ...]]
    iac: Mapping[str, tuple[tuple[str | None, str], ...]]
    iac_properties: Mapping[str, tuple[tuple[str, str, str], ...]]
    """Type -> (property, value, product) for rules keyed on a property other than ``kind``."""
    resources: Mapping[str, tuple[tuple[str | None, str], ...]]
    resource_globs: tuple[tuple[str, str | None, str], ...]
    app_names: Mapping[str, tuple[str, ...]]
    app_name_prefixes: tuple[tuple[str, str], ...]
    app_publishers: Mapping[str, tuple[str, ...]]
    app_ids: Mapping[str, tuple[str, ...]]
    app_domains: Mapping[str, tuple[str, ...]]
    file_rules: tuple[tuple[str, str], ...]
    keywords: tuple[str, ...]
    _automaton: ahocorasick_rs.BytesAhoCorasick = field(repr=False)
    _model_re: re.Pattern[str] | None = field(repr=False)
    _model_groups: Mapping[str, tuple[str, ...]] = field(repr=False)
    _plain_models: frozenset[str] = field(repr=False, default=frozenset())

    def prefilter(self, data: bytes) -> bool:
        """True when ``data`` holds any catalog keyword (ASCII case-insensitive)."""
        return bool(self._automaton.find_matches_as_indexes(data.lower()))

    def keyword_offsets(self, data: bytes) -> list[int]:
        """Sorted start offsets of every keyword occurrence (ASCII case-insensitive)."""
        return [start for _, start, _ in self._automaton.find_matches_as_indexes(data.lower())]

    def match_import(self, language: str, module: str, names: Iterable[str] = ()) -> set[str]:
        """Products identified by importing ``module`` (optionally the given ``names`` from it).

        Every rule that is a prefix of the module counts (``llama_index.llms.openai`` is both
        LlamaIndex and OpenAI). A rule naming an imported name (``openai.AzureOpenAI``) adds its
        product and drops the products that product ``supersedes``: importing ``AzureOpenAI``
        from ``openai`` is Azure OpenAI, not OpenAI.
        """
        rules = rule_language(language)
        table = self.imports.get(rules)
        if not table:
            return set()
        generic: set[str] = set()
        for prefix in _module_prefixes(module, rules):
            generic.update(table.get(prefix, ()))
        names = tuple(names)
        if not names:
            return generic
        found: set[str] = set()
        for name in names:
            specific = table.get(f"{module}.{name}", ())
            candidates = generic.union(specific)
            for pid in specific:
                candidates.difference_update(self.supersedes.get(pid, ()))
            found.update(candidates)
        return found

    def match_call(
        self, language: str, callee: str, args: tuple[str, ...], kwargs: Mapping[str, str]
    ) -> set[str]:
        """Products identified by a call (constructor or client factory)."""
        table = self.calls.get(rule_language(language))
        if not table:
            return set()
        last = callee.rsplit(".", 1)[-1]
        found: set[str] = set()
        for rule, product in table.get(last, ()):
            if callee != rule.callee and not callee.endswith("." + rule.callee):
                continue
            if rule.args:
                values = set(kwargs.values())
                if args:
                    values.add(args[0])
                if not values.intersection(rule.args):
                    continue
            found.add(product)
        return found

    def match_package(self, ecosystem: str, name: str) -> tuple[str, ...]:
        """Products a dependency on ``name`` indicates (compared after ``normalise_package``).

        A ``go`` rule names a module and the modules beneath it (``.../openai-go/v3``): every
        rule that is a ``/``-prefix of the module path counts, longest first.
        """
        table = self.packages.get(ecosystem)
        if not table:
            return ()
        key = normalise_package(ecosystem, name)
        if ecosystem != "go":
            return table.get(key, ())
        found: list[str] = []
        while key:
            found.extend(table.get(key, ()))
            key = key.rpartition("/")[0]
        return tuple(dict.fromkeys(found))

    def match_host(self, host: str) -> tuple[str, ...]:
        """Products whose API lives at ``host`` (exact, or a declared ``*.`` suffix)."""
        host = host.lower().rstrip(".")
        exact = self.hosts.get(host)
        if exact:
            return exact
        parts = host.split(".")
        for i in range(1, len(parts) - 1):
            products = self.host_suffixes.get(".".join(parts[i:]))
            if products:
                return products
        return ()

    def match_model(self, value: str) -> tuple[str, ...]:
        """Products a model id belongs to; empty when ``value`` is not a known model id."""
        if (
            self._model_re is None
            or not 2 <= len(value) <= 120
            or " " in value
            or (_MODEL_SHAPE.search(value) is None and value not in self._plain_models)
        ):
            return ()
        m = self._model_re.fullmatch(value)
        if m is None or m.lastgroup is None:
            return ()
        return self._model_groups[m.lastgroup]

    def match_image(self, reference: str) -> tuple[str, ...]:
        """Products whose container image ``reference`` names (registry, tag, digest ignored):
        ``ghcr.io/ollama/ollama:0.5`` and ``ollama/ollama`` are both ``ollama/ollama``."""
        ref = reference.strip().strip("\"'").lower().split("@", 1)[0]
        name = ref.rsplit(":", 1)[0] if ":" in ref.rsplit("/", 1)[-1] else ref
        parts = name.split("/")
        if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
            parts = parts[1:]  # a registry host
        for start in range(len(parts)):
            products = self.images.get("/".join(parts[start:]))
            if products:
                return products
        return ()

    def match_iac(
        self,
        resource_type: str,
        kind: str | None = None,
        properties: Mapping[str, str] | None = None,
    ) -> tuple[str, ...]:
        """Products an IaC resource type (and, for shared types, its ``kind`` or the property a
        rule names, looked up in ``properties``) declares."""
        rtype = resource_type.lower()
        rules = self.iac.get(rtype, ())
        found = [pid for want, pid in rules if want is None or (kind or "").lower() == want.lower()]
        for prop, want, pid in self.iac_properties.get(rtype, ()):
            if properties and (properties.get(prop) or "").lower() == want.lower():
                found.append(pid)
        return tuple(dict.fromkeys(found))

    def match_resource(
        self,
        resource_type: str,
        kind: str | None = None,
        properties: Mapping[str, str] | None = None,
    ) -> tuple[str, ...]:
        """Products a live cloud resource type (and, for shared types, its kind) is.

        ``resources`` rules first, then ``iac`` rules: a CloudFormation or ARM type names the
        same thing in a template and in the account.
        """
        rtype = resource_type.lower()
        wanted = (kind or "").lower()
        rules = [
            *self.resources.get(rtype, ()),
            *((k, pid) for prefix, k, pid in self.resource_globs if rtype.startswith(prefix)),
            *self.iac.get(rtype, ()),
        ]
        found = [pid for want, pid in rules if want is None or wanted == want.lower()]
        props = {k.lower(): v for k, v in (properties or {}).items()}
        for prop, want, pid in self.iac_properties.get(rtype, ()):
            if (props.get(prop.lower()) or "").lower() == want.lower():
                found.append(pid)
        return tuple(dict.fromkeys(found))

    def match_app(
        self, name: str = "", publisher: str = "", app_id: str = "", hosts: Iterable[str] = ()
    ) -> dict[str, str]:
        """Products a SaaS application is, each with what matched it: ``id``, ``name``,
        ``domain`` or ``publisher`` (in that order of strength).

        A weaker kind counts only when no stronger one matched: a "Claude Code" app whose
        redirect URL is on claude.ai is Claude Code, not also Claude; an app by OpenAI is
        ChatGPT unless its name says which other OpenAI app it is.
        """
        found: dict[str, str] = {}
        for pid in self.app_ids.get(app_id.strip().lower(), ()) if app_id else ():
            found.setdefault(pid, "id")
        key = normalise_app_name(name)
        if key:
            for pid in self.app_names.get(key, ()):
                found.setdefault(pid, "name")
            for prefix, pid in self.app_name_prefixes:
                if key.startswith(prefix):
                    found.setdefault(pid, "name")
        if found:
            return found  # an id or a name says which app it is; its domains add nothing
        for host in hosts:
            parts = host.lower().rstrip(".").split(".")
            for i in range(len(parts) - 1):
                for pid in self.app_domains.get(".".join(parts[i:]), ()):
                    found.setdefault(pid, "domain")
        if not found and publisher:
            for pid in self.app_publishers.get(normalise_app_name(publisher), ()):
                found.setdefault(pid, "publisher")
        return found

    def match_file(self, relpath: str) -> tuple[str, ...]:
        """Products whose marker file name or glob ``relpath`` matches."""
        name = posixpath.basename(relpath)
        found = [
            pid
            for pattern, pid in self.file_rules
            if fnmatch.fnmatchcase(name if "/" not in pattern else relpath, pattern)
            or ("/" in pattern and fnmatch.fnmatchcase(relpath, "*/" + pattern))
        ]
        return tuple(dict.fromkeys(found))

    def examples(self) -> Iterator[ExampleCase]:
        """Every example of every product, in file order."""
        for fp in self.files:
            for product in fp.products:
                for index, example in enumerate(product.examples):
                    yield ExampleCase(fp.id, product.id, index, example)

    def product_spec(self, product_id: str) -> Product:
        """The validated definition of a product."""
        for fp in self.files:
            for product in fp.products:
                if product.id == product_id:
                    return product
        raise KeyError(product_id)


_APP_SEPARATORS = re.compile(r"[^a-z0-9*]+")


def normalise_app_name(name: str) -> str:
    """Lower case, runs of spaces and punctuation as one space: ``Otter.ai`` is ``otter ai``."""
    return _APP_SEPARATORS.sub(" ", name.lower()).strip()


def _plain_alternatives(patterns: Iterable[str]) -> Iterator[str]:
    """Model ids that are plain words (no digit or separator), spelled out in the patterns as
    literal alternatives: ``sonar|sonar-pro`` yields ``sonar``. A pattern that could match a
    plain word only through a character class would be missed: keep such ids literal."""
    for pattern in patterns:
        for alternative in pattern.split("|"):
            word = alternative.strip("()?")
            if _PLAIN_WORD.match(word):
                yield word


def _is_npm_specifier(module: str) -> bool:
    return module.startswith("@") or "/" in module


IMPORT_SEPARATORS = {"go": "/", "ruby": "/", "rust": "::", "php": "\\"}
"""Path separators of imported names other than ``.`` (Python, Java/Kotlin, C#) and npm's
specifiers: Go import paths and Ruby ``require`` names (``/``), Rust ``use`` paths (``::``),
PHP namespaces (``\\``). See ``detectors.code.polyglot`` for how each language's imports read."""


def _module_prefixes(module: str, language: str = "python") -> list[str]:
    """Candidate rule keys for a module, longest first: ``a.b.c`` -> ``a.b.c``, ``a.b``, ``a``.

    Segments are split on the rule language's separator: a Go rule
    ``github.com/sashabaranov/go-openai`` matches the subpackage ``.../go-openai/jsonschema``;
    ``com.azure.ai.openai`` matches ``com.azure.ai.openai.OpenAIClient`` (Java) and a rule
    never matches a mere string prefix (``openai`` is not a prefix of ``openai_extras``).
    """
    separator = IMPORT_SEPARATORS.get(language)
    if separator is not None:
        segs = module.split(separator)
        return [separator.join(segs[:k]) for k in range(len(segs), 0, -1)]
    if _is_npm_specifier(module):
        segs = module.split("/")
        first = 2 if module.startswith("@") else 1
        return ["/".join(segs[:k]) for k in range(len(segs), first - 1, -1)]
    segs = module.split(".")
    return [".".join(segs[:k]) for k in range(len(segs), 0, -1)]


def _module_keywords(module: str, language: str = "python") -> tuple[str, ...]:
    """Prefilter keywords for an import rule: the literals one of which must be in the file.

    ``a.b.c`` is written either ``a.b.c`` (``import a.b.c``, ``from a.b.c import x``) or
    ``from a.b import c``. Keying on the first segment alone would make namespace packages
    (``google``, ``azure``) let most of their ecosystem through the prefilter. Other languages
    write the path of a rule as it is (``import com.openai.client...``, ``using Azure.AI.OpenAI``,
    ``"github.com/openai/openai-go"``, ``use async_openai::...``, ``use OpenAI\\Client``): the
    rule itself is the keyword. (A Rust use tree ``use a::{b::c}`` holds ``a`` but not ``a::b``:
    Rust rules name crates.)
    """
    if language not in ("python", "javascript"):
        return (module,)
    if _is_npm_specifier(module) or "." not in module:
        return (module,)
    parent, _, last = module.rpartition(".")
    return (module, f"{parent} import {last}")


def _package_keywords(ecosystem: str, name: str) -> tuple[str, ...]:
    """Prefilter keywords for a package rule: a literal every file declaring it holds."""
    if ecosystem == "pypi":
        # PEP 503: google_generativeai and google.generativeai name the same
        return (name, name.replace("-", "_"), name.replace("-", "."))
    if ecosystem == "cargo":
        return (name, name.replace("-", "_"))
    if ecosystem == "maven":
        # pom.xml writes groupId and artifactId apart: key on the artifact, or on the group when
        # the artifact is too short to be distinctive (``io.modelcontextprotocol.sdk:mcp``).
        group, _, artifact = name.partition(":")
        return (artifact if len(artifact) >= 6 else group,)
    return (name,)


def _format_validation(path: str, err: ValidationError) -> str:
    lines = []
    for item in err.errors():
        loc = ".".join(str(p) for p in item["loc"]) or "(top level)"
        lines.append(f"{path}: {loc}: {item['msg']}")
    return "\n".join(lines)


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (ten times faster; same results)."""


def _read_file(path: str, text: str, stem: str) -> FingerprintFile:
    try:
        raw = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        raise CatalogError(f"{path}: invalid YAML: {err}") from err
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: expected a mapping at the top level")
    try:
        fp = FingerprintFile.model_validate(raw)
    except ValidationError as err:
        raise CatalogError(_format_validation(path, err)) from err
    if fp.id != stem:
        raise CatalogError(f"{path}: id: {fp.id!r} != file stem {stem!r}")
    return fp


def _bundled_files() -> Iterator[tuple[str, Traversable]]:
    root = resources.files("fingerprints")
    for family in FAMILIES:
        folder = root / family
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".yml")):
                yield f"fingerprints/{family}/{entry.name}", entry


def compile_catalog(files: Iterable[FingerprintFile]) -> Catalog:
    """Compile validated fingerprint files into a catalog; rejects duplicate product ids."""
    files = tuple(files)
    products: dict[str, ProductInfo] = {}
    imports: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    calls: dict[str, dict[str, list[tuple[CallRule, str]]]] = defaultdict(lambda: defaultdict(list))
    packages: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    hosts: dict[str, list[str]] = defaultdict(list)
    suffixes: dict[str, list[str]] = defaultdict(list)
    env_vars: dict[str, list[str]] = defaultdict(list)
    model_patterns: dict[str, list[str]] = defaultdict(list)
    key_rules: list[CompiledKeyRule] = []
    images: dict[str, list[str]] = defaultdict(list)
    iac: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
    iac_properties: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    resource_rules: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
    resource_globs: list[tuple[str, str | None, str]] = []
    app_names: dict[str, list[str]] = defaultdict(list)
    app_prefixes: list[tuple[str, str]] = []
    app_publishers: dict[str, list[str]] = defaultdict(list)
    app_ids: dict[str, list[str]] = defaultdict(list)
    app_domains: dict[str, list[str]] = defaultdict(list)
    file_rules: list[tuple[str, str]] = []
    keywords: set[str] = set()
    seen_files: set[str] = set()

    for fp in files:
        if fp.id in seen_files:
            raise CatalogError(f"fingerprint id {fp.id!r} appears in two files")
        seen_files.add(fp.id)
        for p in fp.products:
            if p.id in products:
                raise CatalogError(
                    f"{fp.id}: product id {p.id!r} is already defined by "
                    f"{products[p.id].fingerprint_id}"
                )
            products[p.id] = ProductInfo(
                id=p.id,
                name=p.name,
                vendor=p.vendor or fp.vendor,
                vendor_name=p.vendor_name or fp.vendor_name,
                category=p.category.value,
                fingerprint_id=fp.id,
            )
            s = p.signals
            for lang, modules in s.imports.items():
                for module in modules:
                    imports[lang][module].append(p.id)
                    keywords.update(_module_keywords(module, lang))
            for lang, rules in s.calls.items():
                for rule in rules:
                    calls[lang][rule.callee.rsplit(".", 1)[-1]].append((rule, p.id))
                    # The first segment of a dotted callee (``ollama`` of ``ollama.chat``) is the
                    # literal that must be in the file; the last would often be a common word.
                    keywords.update(rule.args or (rule.callee.split(".")[0],))
            for eco, names in s.packages.items():
                for name in names:
                    packages[eco][normalise_package(eco, name)].append(p.id)
                    keywords.update(_package_keywords(eco, name))
            for host in s.hosts:
                if host.startswith("*."):
                    suffixes[host[2:]].append(p.id)
                    keywords.add(host[1:])
                else:
                    hosts[host].append(p.id)
                    keywords.add(host)
            for var in s.env_vars:
                env_vars[var].append(p.id)
                keywords.add(var)
            for pattern in s.model_ids:
                model_patterns[pattern].append(p.id)
            for key in s.keys:
                key_rules.append(CompiledKeyRule(key, p.id, re.compile(key.regex)))
                keywords.update(key.keywords)
            for image in s.images:
                images[image.lower()].append(p.id)
                keywords.add(image.lower())
            for iac_rule in s.iac:
                if iac_rule.property != "kind" and iac_rule.kind is not None:
                    by_property = (iac_rule.property, iac_rule.kind, p.id)
                    iac_properties[iac_rule.type.lower()].append(by_property)
                else:
                    iac[iac_rule.type.lower()].append((iac_rule.kind, p.id))
                keywords.add(iac_rule.type)
            for res_rule in s.resources:
                if res_rule.type.endswith("*"):
                    resource_globs.append((res_rule.type[:-1].lower(), res_rule.kind, p.id))
                else:
                    resource_rules[res_rule.type.lower()].append((res_rule.kind, p.id))
            for app in s.apps:
                for app_name in app.names:
                    if app_name.endswith("*"):
                        app_prefixes.append((normalise_app_name(app_name[:-1]), p.id))
                    else:
                        app_names[normalise_app_name(app_name)].append(p.id)
                for pub in app.publishers:
                    app_publishers[normalise_app_name(pub)].append(p.id)
                for app_id in app.ids:
                    app_ids[app_id.lower()].append(p.id)
                for domain in app.domains:
                    app_domains[domain.lower()].append(p.id)
            file_rules.extend((pattern, p.id) for pattern in s.files)
            keywords.update(p.keywords)

    for fp in files:
        for p in fp.products:
            unknown = [other for other in p.supersedes if other not in products]
            if unknown:
                raise CatalogError(f"{fp.id}: {p.id}: supersedes unknown products {unknown}")
    lowered = sorted({k.lower() for k in keywords if k})
    if not lowered:
        raise CatalogError("the catalog holds no keywords: no fingerprint files were loaded")
    automaton = ahocorasick_rs.BytesAhoCorasick([k.encode() for k in lowered])
    groups = {f"m{i}": tuple(ps) for i, ps in enumerate(model_patterns.values())}
    model_re = (
        re.compile("|".join(f"(?P<m{i}>{pat})" for i, pat in enumerate(model_patterns)))
        if model_patterns
        else None
    )

    stems: dict[str, list[str]] = defaultdict(list)
    for var, pids in env_vars.items():
        for suffix in ("_API_KEY", "_API_TOKEN", "_TOKEN", "_KEY"):
            if var.endswith(suffix) and len(var) > len(suffix) + 2:
                stems[var[: -len(suffix)]].extend(pids)
                break

    def freeze(table: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
        return {k: tuple(dict.fromkeys(v)) for k, v in table.items()}

    return Catalog(
        files=files,
        products=products,
        imports={lang: freeze(t) for lang, t in imports.items()},
        calls={lang: {k: tuple(v) for k, v in t.items()} for lang, t in calls.items()},
        packages={eco: freeze(t) for eco, t in packages.items()},
        hosts=freeze(hosts),
        host_suffixes=freeze(suffixes),
        env_vars=freeze(env_vars),
        key_stems=freeze(stems),
        supersedes={
            p.id: frozenset(p.supersedes) for fp in files for p in fp.products if p.supersedes
        },
        key_rules=tuple(key_rules),
        images=freeze(images),
        iac={k: tuple(v) for k, v in iac.items()},
        iac_properties={k: tuple(v) for k, v in iac_properties.items()},
        resources={k: tuple(v) for k, v in resource_rules.items()},
        resource_globs=tuple(resource_globs),
        app_names=freeze(app_names),
        app_name_prefixes=tuple(app_prefixes),
        app_publishers=freeze(app_publishers),
        app_ids=freeze(app_ids),
        app_domains=freeze(app_domains),
        file_rules=tuple(file_rules),
        keywords=tuple(lowered),
        _automaton=automaton,
        _model_re=model_re,
        _model_groups=groups,
        _plain_models=frozenset(_plain_alternatives(model_patterns)),
    )


def load_files(extra_dirs: Iterable[Path] = ()) -> list[FingerprintFile]:
    """Read and validate the bundled fingerprint files plus any in ``extra_dirs``."""
    loaded: list[FingerprintFile] = []
    for label, entry in _bundled_files():
        loaded.append(
            _read_file(label, entry.read_text(encoding="utf-8"), entry.name.rsplit(".", 1)[0])
        )
    for folder in extra_dirs:
        for path in sorted(folder.glob("*.y*ml")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                raise CatalogError(f"{path}: cannot read: {err}") from err
            loaded.append(_read_file(str(path), text, path.stem))
    return loaded


@cache
def load_catalog() -> Catalog:
    """The bundled catalog, compiled once per process."""
    catalog = compile_catalog(load_files())
    logger.debug("catalog: %d products, %d keywords", len(catalog.products), len(catalog.keywords))
    return catalog
