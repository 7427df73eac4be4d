"""The orchestration and the CLI: targets -> connectors -> detectors -> inventory -> output."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aicensus")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
