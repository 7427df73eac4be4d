"""Infrastructure and deployment files as evidence: Terraform, CloudFormation/SAM, ARM, Bicep,
Kubernetes manifests, Helm values, Docker Compose files and Dockerfiles.

Two entry points decide whether a file is read here, both cheap:

- :func:`iac_kind` by file name (``*.tf``, ``*.bicep``, ``Dockerfile*``/``Containerfile*``),
  used by the engine's classification;
- :func:`sniff_iac` by content, for YAML and JSON files that already passed the keyword
  prefilter: a regular-expression look at the bytes for the shapes the readers understand
  (an ``image`` key, CloudFormation's ``AWSTemplateFormatVersion`` or top-level ``Resources``,
  a top-level ``apiVersion``, ARM's ``resources``). Anything else stays a configuration file.
"""

from __future__ import annotations

import posixpath
import re

from detectors.iac.detector import IacResult, detect_iac

__all__ = ["IacResult", "detect_iac", "iac_kind", "sniff_iac"]

_YAML_SHAPE = re.compile(
    rb"(?mi)^[ \t]*(?:-[ \t]+)?[\"']?image[\"']?[ \t]*:"
    rb"|^(?:AWSTemplateFormatVersion|Resources|apiVersion)[ \t]*:"
)
_JSON_SHAPE = re.compile(rb'"(?:[Ii]mage|Resources|resources|apiVersion)"[ \t\r\n]*:')


def iac_kind(relpath: str) -> str | None:
    """The reader for a file by its name alone, or None."""
    name = posixpath.basename(relpath).lower()
    if name.endswith(".tf"):
        return "terraform"
    if name.endswith(".bicep"):
        return "bicep"
    if name.startswith(("dockerfile", "containerfile")) or name.endswith(
        (".dockerfile", ".containerfile")
    ):
        return "dockerfile"
    return None


def sniff_iac(relpath: str, data: bytes) -> str | None:
    """``yaml`` or ``json`` when a configuration file has a shape the readers understand."""
    suffix = posixpath.splitext(relpath.lower())[1]
    if suffix in (".yaml", ".yml"):
        return "yaml" if _YAML_SHAPE.search(data) else None
    if suffix == ".json":
        return "json" if _JSON_SHAPE.search(data) else None
    return None
