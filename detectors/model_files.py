"""Model files recognised by their bytes: GGUF, safetensors, ONNX, PyTorch, Keras/HDF5, TFLite,
Core ML and pickle/joblib.

A candidate is chosen by name (:func:`model_kind`); its format is decided by magic bytes and
structure, never by the extension alone: ``pytorch_model.bin`` may be a PyTorch zip, a legacy
pickle or a GGUF file, and a ``.bin`` that is none of these is not reported. Model files are
gigabytes, so the engine lets them past the size cap and the binary-content skip, and this module
reads at most :data:`MAX_HEADER` bytes of one (first :data:`SNIFF_BYTES`, more only when a
format's header needs it). Nothing is ever loaded or unpickled: pickles are walked opcode by
opcode with :func:`pickletools.genops`, which decodes opcodes and never builds an object.

What is recorded (finding attributes): ``format`` (the precise format, e.g. ``gguf``,
``pytorch-zip``, ``keras-h5``), ``size_bytes`` and what the header cheaply tells: GGUF version,
tensor and metadata counts, ``general.architecture`` and ``general.name``; safetensors tensor
count, dtypes, parameter count and ``__metadata__``; ONNX IR version and producer; TFLite schema
version and description; Core ML specification version; the first globals a pickle imports.
A model name found in a header (``general.name``, safetensors ``modelspec.title``) is also the
finding's model. A file whose extension claims a format but whose header cannot be read
(truncated, corrupt, empty, a Git LFS pointer) is still reported, with ``header_error`` (or
``storage: git-lfs``) saying why, at medium confidence.

Which product a format family belongs to is data: the ``model-file`` products of
``fingerprints/frameworks/model-files.yaml`` declare file globs, and a family's product is the one
whose globs match the family's canonical file name (:data:`CANONICAL`).
"""

from __future__ import annotations

import io
import json
import logging
import pickletools
import posixpath
import re
import struct
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from connectors.base import Scope
from detectors.base import Confidence, Finding, Location, Signal
from detectors.redact import redact_line
from fingerprints.catalog import Catalog, ProductInfo

logger = logging.getLogger(__name__)

MAX_HEADER = 1024 * 1024
"""The most bytes ever read of one model file."""
SNIFF_BYTES = 64 * 1024
"""What is read first; enough for every magic and most headers."""

MODEL_SUFFIXES: dict[str, str] = {
    ".gguf": "gguf",
    ".safetensors": "safetensors",
    ".onnx": "onnx",
    ".ort": "onnx",
    ".pt": "pytorch",
    ".pth": "pytorch",
    ".ckpt": "pytorch",
    ".bin": "",
    ".h5": "keras",
    ".hdf5": "keras",
    ".keras": "keras",
    ".tflite": "tflite",
    ".mlmodel": "coreml",
    ".pkl": "pickle",
    ".pickle": "pickle",
    ".joblib": "pickle",
}
"""Suffixes read as model candidates -> the family the suffix claims (``""``: none; the bytes
decide, and a ``.bin`` that matches no format is not a model file)."""
WEAK_SUFFIXES = frozenset({".pt", ".pth", ".ckpt"})
"""Suffixes other files use too (``.pth`` Python path files, ``.pt`` Chameleon templates): a
*text* file with one of them that matches no format is not reported."""
MLPACKAGE_MANIFEST = re.compile(r"(^|/)[^/]+\.mlpackage/manifest\.json$", re.IGNORECASE)

CANONICAL: dict[str, str] = {
    "gguf": "model.gguf",
    "safetensors": "model.safetensors",
    "onnx": "model.onnx",
    "pytorch": "model.pt",
    "keras": "model.keras",
    "tflite": "model.tflite",
    "coreml": "model.mlmodel",
    "pickle": "model.pkl",
}
"""The file name whose catalog file rule names a family's product."""

_LFS = b"version https://git-lfs.github.com/spec/"
_HDF5 = b"\x89HDF\r\n\x1a\n"
_PYTORCH_BIN = re.compile(r"^pytorch_model.*\.bin$")
_TORCH_LEGACY_MAGIC = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"
"""``torch.save``'s pre-1.6 format starts with pickle protocol 2 and this magic number."""
_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x5d\x00\x00", "lzma"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"ZF", "zlib (joblib < 0.10)"),
)
_MAX_TEXT = 120


class _Truncated(Exception):
    """The bytes read end inside a structure."""


class _Corrupt(Exception):
    """The header is not what its format says."""


@dataclass
class ModelHeader:
    """What a model file's header says."""

    family: str
    """The format family (a product): ``gguf``, ``safetensors``, ``pytorch``, ..."""
    format: str
    """The precise format: ``gguf``, ``ggml``, ``pytorch-zip``, ``torchscript``, ..."""
    attributes: dict[str, str] = field(default_factory=dict)
    name: str | None = None
    """A model name the header declares."""
    error: str | None = None
    """Why the header could not be read (the file is still reported)."""
    confidence: Confidence = Confidence.HIGH
    more: bool = False
    """The header runs past the bytes read: read up to :data:`MAX_HEADER` and parse again."""


def model_kind(relpath: str) -> str | None:
    """The model-file sub-kind of a path (its suffix, or ``mlpackage``), or None."""
    name = posixpath.basename(relpath).lower()
    suffix = posixpath.splitext(name)[1]
    if suffix in MODEL_SUFFIXES:
        if suffix == ".mlmodel" and ".mlpackage/" in relpath.lower():
            return None  # the package's own model: reported once, by its manifest
        return suffix
    if name == "manifest.json" and MLPACKAGE_MANIFEST.search(relpath):
        return "mlpackage"
    return None


def _text(raw: bytes) -> str:
    value = raw.decode("utf-8", errors="replace")
    value = "".join(ch for ch in value if ch.isprintable()).strip()
    return value[:_MAX_TEXT]


class _Reader:
    """Little-endian reads over a buffer that raise :class:`_Truncated` at its end."""

    def __init__(self, buf: bytes, pos: int = 0) -> None:
        self.buf = buf
        self.pos = pos

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.buf):
            raise _Truncated
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > len(self.buf):
            raise _Truncated
        self.pos += n

    def u16(self) -> int:
        return int(struct.unpack("<H", self.take(2))[0])

    def u32(self) -> int:
        return int(struct.unpack("<I", self.take(4))[0])

    def u64(self) -> int:
        return int(struct.unpack("<Q", self.take(8))[0])

    def varint(self) -> int:
        result = shift = 0
        while True:
            byte = self.take(1)[0]
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift > 63:
                raise _Corrupt("malformed varint")


# -- GGUF -------------------------------------------------------------------------------------

_GGUF_FIXED = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_GGUF_STRING, _GGUF_ARRAY = 8, 9
_GGUF_WANTED = {
    "general.architecture": "architecture",
    "general.name": "model_name",
    "general.size_label": "size_label",
}
_GGML = {b"lmgg": "ggml", b"fmgg": "ggmf", b"tjgg": "ggjt"}


def _gguf(buf: bytes, size: int, header: ModelHeader) -> None:
    r = _Reader(buf)
    if r.take(4) != b"GGUF":
        raise _Corrupt("no GGUF magic")
    version = r.u32()
    if not 1 <= version <= 16:
        raise _Corrupt(f"implausible GGUF version {version}")
    count = r.u32 if version == 1 else r.u64
    tensors, entries = count(), count()
    if tensors > 1 << 32 or entries > 1 << 24:
        raise _Corrupt("implausible tensor or metadata counts")
    header.attributes.update(
        gguf_version=str(version), tensors=str(tensors), metadata_entries=str(entries)
    )

    def string() -> bytes:
        n = count()
        if n > size:
            raise _Corrupt("implausible string length")
        return r.take(n)

    def skip_value(kind: int) -> None:
        if kind in _GGUF_FIXED:
            r.skip(_GGUF_FIXED[kind])
        elif kind == _GGUF_STRING:
            string()
        elif kind == _GGUF_ARRAY:
            inner, n = r.u32(), count()
            if inner in _GGUF_FIXED:
                r.skip(_GGUF_FIXED[inner] * n)
            else:
                for _ in range(n):
                    skip_value(inner)
        else:
            raise _Corrupt(f"unknown GGUF value type {kind}")

    wanted = dict(_GGUF_WANTED)
    for _ in range(entries):
        key = string().decode("utf-8", errors="replace")
        kind = r.u32()
        if key in wanted and kind == _GGUF_STRING:
            value = _text(string())
            name = wanted.pop(key)
            if value:
                header.attributes[name] = value
                if name == "model_name":
                    header.name = value
            if not wanted:
                return
        else:
            skip_value(kind)


def _ggml(buf: bytes, header: ModelHeader) -> None:
    header.attributes["ggml_variant"] = _GGML[buf[:4]]
    if buf[:4] != b"lmgg" and len(buf) >= 8:
        header.attributes["ggml_version"] = str(struct.unpack("<I", buf[4:8])[0])


# -- safetensors ------------------------------------------------------------------------------

_SAFETENSORS_NAMES = ("modelspec.title", "name", "model_name")


def _looks_safetensors(buf: bytes) -> bool:
    if len(buf) < 10:
        return False
    n = struct.unpack("<Q", buf[:8])[0]
    return 2 <= n <= 100 * 1024 * 1024 and buf[8:9] == b"{"


def _safetensors(buf: bytes, size: int, header: ModelHeader) -> None:
    if len(buf) < 8:
        raise _Corrupt("shorter than the 8-byte header length")
    n = struct.unpack("<Q", buf[:8])[0]
    if n < 2 or n > 100 * 1024 * 1024:
        raise _Corrupt(f"implausible header length {n}")
    if 8 + n > size:
        raise _Corrupt("the JSON header runs past the end of the file (truncated)")
    if 8 + n > len(buf):
        if len(buf) < MAX_HEADER:
            header.more = True
            return
        raise _Corrupt(f"the JSON header ({n} bytes) is larger than the {MAX_HEADER}-byte limit")
    try:
        doc = json.loads(buf[8 : 8 + n])
    except (ValueError, UnicodeDecodeError) as err:
        raise _Corrupt(f"the JSON header is invalid: {err}") from err
    if not isinstance(doc, dict):
        raise _Corrupt("the JSON header is not an object")
    meta = doc.pop("__metadata__", None)
    tensors = [v for v in doc.values() if isinstance(v, dict)]
    dtypes = sorted({str(t.get("dtype")) for t in tensors if t.get("dtype")})
    params = 0
    for t in tensors:
        shape = t.get("shape")
        if isinstance(shape, list) and all(isinstance(d, int) for d in shape):
            count = 1
            for d in shape:
                count *= d
            params += count
    header.attributes.update(tensors=str(len(tensors)), parameters=str(params))
    if dtypes:
        header.attributes["dtypes"] = ",".join(dtypes)[:_MAX_TEXT]
    if isinstance(meta, dict):
        if isinstance(meta.get("format"), str):
            header.attributes["metadata_format"] = _text(meta["format"].encode())
        for key in _SAFETENSORS_NAMES:
            value = meta.get(key)
            if isinstance(value, str) and _text(value.encode()):
                header.name = _text(value.encode())
                header.attributes["model_name"] = header.name
                break


# -- protobuf (ONNX, Core ML) -----------------------------------------------------------------


def _proto_fields(buf: bytes, start: int = 0, end: int | None = None) -> list[tuple[int, object]]:
    """(field, value) pairs of a protobuf message; stops quietly where the bytes end."""
    r = _Reader(buf[:end] if end is not None else buf, start)
    out: list[tuple[int, object]] = []
    try:
        while r.pos < len(r.buf):
            tag = r.varint()
            number, wire = tag >> 3, tag & 7
            if number == 0:
                return out  # padding or garbage: what came before stands
            if wire == 0:
                out.append((number, r.varint()))
            elif wire == 2:
                n = r.varint()
                if r.pos + n > len(r.buf):
                    out.append((number, (r.pos, n)))  # truncated by the read: position only
                    return out
                out.append((number, r.take(n)))
            elif wire == 1:
                r.skip(8)
            elif wire == 5:
                r.skip(4)
            else:
                raise _Corrupt(f"unsupported wire type {wire}")
    except _Truncated:
        pass
    return out


def _onnx(buf: bytes, header: ModelHeader) -> None:
    if buf[:1] != b"\x08":
        raise _Corrupt("no ONNX ir_version field at the start")
    names = {2: "producer", 3: "producer_version", 4: "domain"}
    for number, value in _proto_fields(buf):
        if number == 1 and isinstance(value, int):
            if not 1 <= value <= 64:
                raise _Corrupt(f"implausible ONNX IR version {value}")
            header.attributes["ir_version"] = str(value)
        elif number in names and isinstance(value, bytes) and _text(value):
            header.attributes[names[number]] = _text(value)
        elif number == 5 and isinstance(value, int):
            header.attributes["model_version"] = str(value)
        elif number >= 6:
            break  # the graph: as large as the model
    if "ir_version" not in header.attributes:
        raise _Corrupt("no ONNX ir_version field at the start")


def _coreml(buf: bytes, header: ModelHeader) -> None:
    fields = _proto_fields(buf)
    if not fields or fields[0][0] != 1 or not isinstance(fields[0][1], int):
        raise _Corrupt("no Core ML specificationVersion field at the start")
    version = fields[0][1]
    if not 1 <= version <= 64:
        raise _Corrupt(f"implausible Core ML specification version {version}")
    header.attributes["specification_version"] = str(version)
    for number, value in fields[1:]:
        if number == 2 and isinstance(value, bytes):  # ModelDescription
            for sub, meta in _proto_fields(value):
                if sub == 100 and isinstance(meta, bytes):  # Metadata
                    for key, text in _proto_fields(meta):
                        if key == 1 and isinstance(text, bytes) and _text(text):
                            header.attributes["description"] = _text(text)
                        elif key == 3 and isinstance(text, bytes) and _text(text):
                            header.attributes["author"] = _text(text)
            break


def _mlpackage(buf: bytes, size: int, header: ModelHeader) -> None:
    if size > len(buf):
        raise _Corrupt("the package manifest is larger than the read limit")
    try:
        doc = json.loads(buf)
    except (ValueError, UnicodeDecodeError) as err:
        raise _Corrupt(f"invalid package manifest: {err}") from err
    if not isinstance(doc, dict) or not isinstance(doc.get("itemInfoEntries"), dict):
        raise _Corrupt("the package manifest lists no items")
    header.attributes["items"] = str(len(doc["itemInfoEntries"]))
    if isinstance(doc.get("fileFormatVersion"), str):
        header.attributes["package_version"] = _text(doc["fileFormatVersion"].encode())


# -- TFLite / ONNX Runtime (FlatBuffers) ------------------------------------------------------


def _tflite(buf: bytes, header: ModelHeader) -> None:
    if buf[4:8] != b"TFL3":
        raise _Corrupt("no TFL3 file identifier")
    try:
        r = _Reader(buf)
        table = r.u32()
        r.pos = table
        vtable = table - struct.unpack("<i", r.take(4))[0]
        r.pos = vtable
        vlen = r.u16()
        r.u16()
        offsets = [r.u16() for _ in range(max(0, (vlen - 4) // 2))]
        if offsets and offsets[0]:
            r.pos = table + offsets[0]
            header.attributes["schema_version"] = str(r.u32())
        if len(offsets) > 3 and offsets[3]:
            r.pos = table + offsets[3]
            target = r.pos + r.u32()  # a uoffset counts from where it is stored
            r.pos = target
            text = _text(r.take(r.u32()))
            if text:
                header.attributes["description"] = text
    except (_Truncated, struct.error):
        pass  # the identifier is what counts; the rest is a bonus


# -- zip archives (PyTorch, Keras v3) ---------------------------------------------------------


def _zip_entries(buf: bytes, limit: int = 64) -> list[tuple[str, bytes | None]]:
    """(name, stored data if wholly read) of the first local file headers of a zip."""
    r = _Reader(buf)
    entries: list[tuple[str, bytes | None]] = []
    try:
        while len(entries) < limit and r.take(4) == b"PK\x03\x04":
            r.skip(2)
            flags, method = r.u16(), r.u16()
            r.skip(8)
            csize = r.u32()
            r.skip(4)
            nlen, xlen = r.u16(), r.u16()
            name = r.take(nlen).decode("utf-8", errors="replace")
            extra = r.take(xlen)
            if csize == 0xFFFFFFFF:  # zip64: the sizes are in the extra field
                x = _Reader(extra)
                while x.pos + 4 <= len(extra):
                    tag, n = x.u16(), x.u16()
                    if tag == 1 and n >= 16:
                        x.u64()
                        csize = x.u64()
                        break
                    x.skip(n)
            if r.pos + csize > len(buf):
                entries.append((name, None))
                break
            data = r.take(csize)
            entries.append((name, data if method == 0 else None))
            if flags & 0x08 and csize == 0:
                break  # sizes in a data descriptor: the next header cannot be found
    except _Truncated:
        pass
    return entries


def _zip_model(buf: bytes, claimed: str) -> ModelHeader | None:
    entries = _zip_entries(buf)
    names = [name for name, _ in entries]
    base = {posixpath.basename(n) for n in names}
    if any(n.endswith("data.pkl") for n in names) or any(
        n.endswith("/version") or n.endswith("/byteorder") for n in names
    ):
        script = any("/code/" in n or n.endswith("constants.pkl") for n in names)
        header = ModelHeader("pytorch", "torchscript" if script else "pytorch-zip")
        top = names[0].split("/", 1)[0] if "/" in names[0] else ""
        if top:
            header.attributes["archive"] = _text(top.encode())
        for name, data in entries:
            if name.endswith("data.pkl") and data is not None:
                found = _pickle_globals(data)
                if found:
                    header.attributes["pickle_globals"] = found
        return header
    if base & {"metadata.json", "config.json", "model.weights.h5"} and claimed in ("keras", ""):
        header = ModelHeader("keras", "keras-v3")
        for name, data in entries:
            if name == "metadata.json" and data is not None:
                try:
                    meta = json.loads(data)
                except (ValueError, UnicodeDecodeError):
                    break
                if isinstance(meta, dict) and isinstance(meta.get("keras_version"), str):
                    header.attributes["keras_version"] = _text(meta["keras_version"].encode())
        return header
    return None


# -- pickle -----------------------------------------------------------------------------------

_PICKLE_STRINGS = frozenset(
    {
        "SHORT_BINUNICODE",
        "BINUNICODE",
        "BINUNICODE8",
        "UNICODE",
        "STRING",
        "BINSTRING",
        "SHORT_BINSTRING",
    }
)
_PICKLE_SCAN = 64 * 1024
_PICKLE_OPS = 4000


def _pickle_globals(buf: bytes, limit: int = 5) -> str:
    """The first distinct ``module.name`` globals a pickle imports, read from its opcodes.

    :func:`pickletools.genops` only decodes opcodes and their arguments; nothing is imported or
    built. The walk stops at the first undecodable byte (a pickle cut by the read limit).
    """
    found: dict[str, None] = {}
    strings: list[str] = []
    memo: dict[int, str] = {}
    last: str | None = None
    try:
        for n, (op, arg, _) in enumerate(pickletools.genops(io.BytesIO(buf[:_PICKLE_SCAN]))):
            if n >= _PICKLE_OPS or len(found) >= limit:
                break
            name = op.name
            pushed: str | None = None
            if name in _PICKLE_STRINGS and isinstance(arg, str | bytes):
                pushed = arg if isinstance(arg, str) else arg.decode("latin-1")
            elif name in ("GLOBAL", "INST") and isinstance(arg, str):
                found.setdefault(".".join(arg.split(" ", 1)), None)
            elif name == "STACK_GLOBAL" and len(strings) >= 2:
                found.setdefault(f"{strings[-2]}.{strings[-1]}", None)
            elif name in ("BINPUT", "LONG_BINPUT", "PUT") and last is not None:
                memo[int(str(arg))] = last
            elif name == "MEMOIZE" and last is not None:
                memo[len(memo)] = last
            elif name in ("BINGET", "LONG_BINGET", "GET"):
                pushed = memo.get(int(str(arg)))
            if pushed is not None:
                strings = [*strings[-1:], pushed]
            if name not in ("BINPUT", "LONG_BINPUT", "PUT", "MEMOIZE"):
                last = pushed
    except (ValueError, EOFError, IndexError, KeyError, UnicodeDecodeError, struct.error):
        pass
    return ",".join(_text(g.encode()) for g in found)[:200]


def _pickle_protocol(buf: bytes) -> int | None:
    if len(buf) >= 2 and buf[0] == 0x80 and 2 <= buf[1] <= 5:
        return buf[1]
    return None


def _old_pickle(buf: bytes) -> bool:
    """A protocol 0/1 pickle: a plausible first opcode and a few decodable ones."""
    if buf[:1] not in (b"(", b"}", b"]", b"c", b"N", b"I", b"V", b"S", b"K", b"J", b"X"):
        return False
    ops = 0
    try:
        for op, _, _ in pickletools.genops(io.BytesIO(buf[:4096])):
            ops += 1
            if op.name == "STOP" or ops >= 3:
                return True
    except (ValueError, EOFError, UnicodeDecodeError, struct.error):
        return False
    return False


def _pickle(buf: bytes, family: str, relpath: str) -> ModelHeader | None:
    protocol = _pickle_protocol(buf)
    if protocol is not None:
        if family == "pytorch":
            legacy = buf.startswith(_TORCH_LEGACY_MAGIC)
            header = ModelHeader(family, "pytorch-legacy" if legacy else "pytorch-pickle")
        else:
            joblib = relpath.lower().endswith(".joblib")
            header = ModelHeader(family, "joblib" if joblib else "pickle")
        header.attributes["pickle_protocol"] = str(protocol)
    elif family == "pickle" and _old_pickle(buf):
        header = ModelHeader(family, "pickle")
        header.attributes["pickle_protocol"] = "0-1"
    else:
        return None
    found = _pickle_globals(buf)
    if found:
        header.attributes["pickle_globals"] = found
    return header


def _compressed_joblib(buf: bytes) -> ModelHeader | None:
    kind = next((name for magic, name in _COMPRESSED if buf.startswith(magic)), None)
    if kind is None and len(buf) >= 2 and buf[0] == 0x78 and buf[1] in (0x01, 0x5E, 0x9C, 0xDA):
        kind = "zlib"
    if kind is None:
        return None
    header = ModelHeader("pickle", "joblib")
    header.attributes["compression"] = kind
    return header


# -- HDF5 -------------------------------------------------------------------------------------

_KERAS_MARKERS = (b"keras_version", b"model_config", b"model_weights")
_VERSION = re.compile(rb"([0-9]+\.[0-9]+(?:\.[0-9]+)?)")


def _hdf5_offset(buf: bytes) -> int | None:
    for offset in (0, 512, 1024, 2048, 4096):
        if buf[offset : offset + 8] == _HDF5:
            return offset
    return None


def _hdf5(buf: bytes, size: int) -> ModelHeader:
    if not any(m in buf for m in _KERAS_MARKERS):
        header = ModelHeader("keras", "hdf5")
        if len(buf) < min(size, MAX_HEADER):
            header.more = True
            return header
        header.confidence = Confidence.LOW
        header.attributes["note"] = "HDF5 without Keras markers in its header: maybe data"
        return header
    header = ModelHeader("keras", "keras-h5")
    at = buf.find(b"keras_version")
    if at >= 0:
        m = _VERSION.search(buf, at + 13, at + 96)
        if m:
            header.attributes["keras_version"] = m.group(1).decode()
    return header


# -- dispatch ---------------------------------------------------------------------------------


def _lfs(buf: bytes, family: str) -> ModelHeader:
    header = ModelHeader(family, family, confidence=Confidence.MEDIUM)
    header.attributes["storage"] = "git-lfs"
    header.error = "Git LFS pointer: the model's bytes are not in the repository"
    for line in buf.decode("utf-8", errors="replace").splitlines()[:8]:
        key, _, value = line.partition(" ")
        if key == "size" and value.strip().isdigit():
            header.attributes["lfs_size_bytes"] = value.strip()
    return header


def sniff(relpath: str, buf: bytes, size: int) -> ModelHeader | None:
    """The model header of a file from its first bytes (``buf``) and its size, or None when the
    file is not a model file (an ambiguous suffix whose bytes match no format)."""
    kind = model_kind(relpath)
    if kind is None:
        return None
    if kind == "mlpackage":
        return _guard(ModelHeader("coreml", "coreml-package"), _mlpackage, buf, size)
    claimed = MODEL_SUFFIXES[kind]
    name = posixpath.basename(relpath).lower()
    if not claimed and _PYTORCH_BIN.match(name):
        claimed = "pytorch"
    if buf.startswith(_LFS):
        return _lfs(buf, claimed) if claimed else None
    if buf[:4] == b"GGUF":
        return _guard(ModelHeader("gguf", "gguf"), _gguf, buf, size)
    if buf[:4] in _GGML and claimed in ("", "gguf", "pytorch"):
        header = ModelHeader("gguf", "ggml")
        _ggml(buf, header)
        return header
    if buf[:4] == b"PK\x03\x04" and claimed in ("", "pytorch", "keras"):
        found = _zip_model(buf, claimed)
        if found is not None:
            return found
    if claimed in ("", "pytorch"):
        found = _pickle(buf, "pytorch", relpath)
        if found is not None:
            return found
    if claimed in ("", "safetensors") and _looks_safetensors(buf):
        return _guard(ModelHeader("safetensors", "safetensors"), _safetensors, buf, size)
    if not claimed:
        return None
    if size == 0:
        return _broken(claimed, "empty file")
    if claimed == "safetensors":
        return _guard(ModelHeader("safetensors", "safetensors"), _safetensors, buf, size)
    if claimed == "onnx":
        if kind == ".ort":
            if buf[4:8] == b"ORTM":
                return ModelHeader("onnx", "onnx-runtime")
            return _broken("onnx", "no ORTM file identifier", "onnx-runtime")
        return _guard(ModelHeader("onnx", "onnx"), lambda b, s, h: _onnx(b, h), buf, size)
    if claimed == "tflite":
        return _guard(ModelHeader("tflite", "tflite"), lambda b, s, h: _tflite(b, h), buf, size)
    if claimed == "coreml":
        return _guard(ModelHeader("coreml", "coreml"), lambda b, s, h: _coreml(b, h), buf, size)
    if claimed == "keras":
        if _hdf5_offset(buf) is not None:
            return _hdf5(buf, size)
        if kind == ".keras":
            return _broken("keras", "neither a Keras v3 zip nor HDF5", "keras-v3")
        return _broken("keras", "no HDF5 signature", "keras-h5")
    if claimed == "pickle":
        found = _pickle(buf, "pickle", relpath) or _compressed_joblib(buf)
        if found is not None:
            return found
        return _broken("pickle", "no pickle or joblib header")
    if claimed == "pytorch":
        if kind in WEAK_SUFFIXES and _is_text(buf):
            return None
        return _broken("pytorch", "neither a PyTorch zip archive nor a pickle")
    if claimed == "gguf":
        return _broken("gguf", "no GGUF magic")
    return _broken(claimed, f"not a {claimed} header")


def _is_text(buf: bytes) -> bool:
    head = buf[:8192]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(head) - 3  # a character cut by the window
    return True


def _broken(family: str, why: str, fmt: str | None = None) -> ModelHeader:
    return ModelHeader(family, fmt or family, error=why, confidence=Confidence.MEDIUM)


def _guard(
    header: ModelHeader,
    parse: Callable[[bytes, int, ModelHeader], None],
    buf: bytes,
    size: int,
) -> ModelHeader:
    """Run a header parser; a truncated or corrupt header is reported, never raised."""
    try:
        parse(buf, size, header)
    except _Truncated:
        if len(buf) >= size:
            header.error = "truncated header"
            header.confidence = Confidence.MEDIUM
        elif len(buf) < MAX_HEADER:
            header.more = True
        # else: the header is longer than the read limit; what was read is kept
    except _Corrupt as err:
        header.error = str(err)
        header.confidence = Confidence.MEDIUM
    except (struct.error, ValueError, OverflowError, RecursionError) as err:
        header.error = f"unreadable header: {type(err).__name__}"
        header.confidence = Confidence.MEDIUM
    return header


def read_model(relpath: str, read: Callable[[int], bytes], size: int) -> ModelHeader | None:
    """Sniff a model file through ``read(n)`` (its first ``n`` bytes); at most
    :data:`MAX_HEADER` bytes are ever asked for. Raises ``OSError`` from ``read``."""
    buf = read(min(size, SNIFF_BYTES))
    header = sniff(relpath, buf, size)
    if header is not None and header.more and len(buf) < min(size, MAX_HEADER):
        buf = read(min(size, MAX_HEADER))
        header = sniff(relpath, buf, size)
    if header is not None and header.more:  # still more than the limit: keep what was read
        header.more = False
    return header


_PRODUCTS: dict[int, tuple[weakref.ref[Catalog], dict[str, ProductInfo]]] = {}


def family_products(catalog: Catalog) -> dict[str, ProductInfo]:
    """Format family -> its ``model-file`` product (from the catalog's file rules)."""
    cached = _PRODUCTS.get(id(catalog))
    if cached is not None and cached[0]() is catalog:
        return cached[1]
    table: dict[str, ProductInfo] = {}
    for family, name in CANONICAL.items():
        for pid in catalog.match_file(name):
            product = catalog.products[pid]
            if product.category == "model-file":
                table[family] = product
                break
    _PRODUCTS[id(catalog)] = (weakref.ref(catalog), table)
    return table


def describe(header: ModelHeader) -> str:
    """A one-line summary used as the evidence snippet."""
    parts = [header.format]
    keys = ("gguf_version", "architecture", "tensors", "ir_version", "producer")
    parts.extend(
        f"{key.replace('_', ' ')} {header.attributes[key]}"
        for key in keys
        if key in header.attributes
    )
    if header.name:
        parts.append(header.name)
    if header.error:
        parts.append(f"header not read: {header.error}")
    return " · ".join(parts)


def detect_model_file(
    catalog: Catalog,
    scope: Scope,
    relpath: str,
    read: Callable[[int], bytes],
    size: int,
) -> list[Finding]:
    """The finding for one model file (none when its bytes match no format)."""
    header = read_model(relpath, read, size)
    if header is None:
        return []
    product = family_products(catalog).get(header.family)
    if product is None:
        logger.debug("no model-file product for family %s (%s)", header.family, relpath)
        return []
    attributes = {"format": header.format, "size_bytes": str(size), **header.attributes}
    if header.error:
        attributes["header_error"] = header.error
    return [
        Finding(
            fingerprint_id=product.fingerprint_id,
            product_id=product.id,
            product_name=product.name,
            vendor=product.vendor,
            vendor_name=product.vendor_name,
            category=product.category,
            scope=scope,
            location=Location(relpath),
            signal=Signal.FILE,
            confidence=header.confidence,
            attributes=attributes,
            models=(header.name,) if header.name else (),
            snippet=redact_line(describe(header)),
        )
    ]
