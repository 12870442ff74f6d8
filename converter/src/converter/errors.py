"""Typed errors of the converter, mapped to exit codes and JSON error events in one place.

Why: the TypeScript agent decides whether to retry from ``permanent`` and the exit code, so every
failure must be one of these, never a bare traceback.
"""
from __future__ import annotations

__all__ = [
    "ConverterError",
    "BadDrawing",
    "BadOptions",
    "NothingToBuild",
    "LimitExceeded",
    "TimeLimit",
    "MemoryLimit",
    "InternalError",
    "EXIT_OK",
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_TIME_LIMIT",
    "EXIT_MEMORY_LIMIT",
    "EXIT_SIZE_LIMIT",
]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_TIME_LIMIT = 4
EXIT_MEMORY_LIMIT = 5
EXIT_SIZE_LIMIT = 6


class ConverterError(Exception):
    """Base class: carries a machine-readable ``code``, whether a retry can help, and an exit code."""

    code = "internal"
    permanent = False
    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)

    def event(self) -> dict:
        return {"type": "error", "code": self.code, "message": self.message, "permanent": self.permanent}


class BadDrawing(ConverterError):
    """The input itself is unusable (not a DXF, truncated, recursive blocks, absurd coordinates).

    Retrying the same file can never succeed, hence permanent.
    """

    code = "bad_input"
    permanent = True
    exit_code = EXIT_BAD_INPUT


class BadOptions(BadDrawing):
    """The options JSON or command line is invalid; permanent like a bad drawing."""

    code = "bad_options"


class NothingToBuild(BadDrawing):
    """The drawing was read but holds nothing to build (empty, or text only)."""

    code = "nothing_to_build"


class LimitExceeded(ConverterError):
    """A configured cap (entities, vertices) was exceeded; the same input will exceed it again."""

    code = "size_limit"
    permanent = True
    exit_code = EXIT_SIZE_LIMIT


class TimeLimit(LimitExceeded):
    code = "time_limit"
    exit_code = EXIT_TIME_LIMIT


class MemoryLimit(LimitExceeded):
    code = "memory_limit"
    exit_code = EXIT_MEMORY_LIMIT


class InternalError(ConverterError):
    """A bug or an environment failure: worth a retry, and worth a bug report."""

    code = "internal"
    permanent = False
    exit_code = EXIT_INTERNAL
