"""What the infrastructure readers extract: generic facts, no product knowledge.

A reader turns one file into resources (a declared cloud resource type, its ``kind`` and its
literal values), container images and installed packages, each with its 1-based line. The
catalog lookup, not the readers, decides which of them are AI products.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class IacError(Exception):
    """The file as a whole cannot be read as the format it claims to be."""


@dataclass(frozen=True, slots=True)
class Value:
    """A literal string inside a resource, with its key path (``properties.model.name``)."""

    path: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Resource:
    """A declared resource: its type as written (``aws_bedrockagent_agent``,
    ``AWS::Bedrock::Agent``, ``Microsoft.CognitiveServices/accounts``), its ``kind`` when the
    file states it literally, and the literal values it holds."""

    type: str
    line: int
    kind: str | None = None
    values: tuple[Value, ...] = ()


@dataclass(frozen=True, slots=True)
class Image:
    """A container image reference and, when its container asks for accelerators, what it asks
    for (``nvidia.com/gpu=1``)."""

    ref: str
    line: int
    gpu: str | None = None


@dataclass(frozen=True, slots=True)
class Package:
    """A package a build step installs (``RUN pip install openai``)."""

    ecosystem: str
    name: str
    line: int


@dataclass(slots=True)
class IacFacts:
    """Everything one file declares, plus notes on what could not be read."""

    resources: list[Resource] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
