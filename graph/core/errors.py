"""One exception tree for paper-lineage.

Every error the library raises derives from :class:`LineageError`. Each subclass carries the
offending value and a hint on how to fix it, so that the front ends (CLI, app) can show one
readable line without a traceback.
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "BadIdError",
    "CacheCorruptError",
    "LineageError",
    "NotFoundError",
    "OfflineError",
    "RateLimitedError",
    "SeedFileError",
    "UnknownLineageError",
    "UnknownPaperError",
]


class LineageError(Exception):
    """Root of every error raised by paper-lineage.

    Parameters
    ----------
    message:
        What went wrong, naming the bad value.
    hint:
        How to fix it (optional).
    exit_code:
        The exit code the CLI uses for this error (2 = usage / bad input, 1 = runtime failure).
    """

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class SeedFileError(LineageError):
    """A seeds file is malformed: carries the path and, where known, the line."""

    exit_code = 2

    def __init__(self, message: str, *, path: str, line: int | None = None, hint: str | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}", hint=hint)
        self.path = path
        self.line = line


class UnknownLineageError(LineageError):
    """A lineage name that the catalogue does not declare."""

    exit_code = 2

    def __init__(self, name: str, choices: list[str]) -> None:
        import difflib

        close = difflib.get_close_matches(name, choices, n=1)
        hint = (f"did you mean '{close[0]}'? " if close else "") + "valid: " + ", ".join(sorted(choices))
        super().__init__(f"unknown lineage '{name}'", hint=hint)
        self.name = name
        self.choices = choices


class UnknownPaperError(LineageError):
    """A paper reference (alias / id) that is not in the catalogue or the graph."""

    exit_code = 2

    def __init__(self, ref: str, hint: str | None = None) -> None:
        super().__init__(
            f"unknown paper '{ref}'",
            hint=hint or "use a seed alias (see 'lineage seeds'), an arXiv id, DOI:..., or a Semantic Scholar id",
        )
        self.ref = ref


class BadIdError(LineageError):
    """A malformed arXiv id, DOI or paper reference."""

    exit_code = 2

    def __init__(self, value: str, kind: str, hint: str) -> None:
        super().__init__(f"malformed {kind} '{value}'", hint=hint)
        self.value = value
        self.kind = kind


class ApiError(LineageError):
    """An upstream API failed after all retries. Carries url and status (never the key)."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.url = url
        self.status = status


class RateLimitedError(ApiError):
    """The API kept answering 429 past the retry budget."""


class NotFoundError(ApiError):
    """The API answered 404 for a paper id."""


class OfflineError(ApiError):
    """The API is unreachable (no network); callers fall back to snapshot + cache."""


class CacheCorruptError(LineageError):
    """The SQLite cache file is unreadable."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"the cache file '{path}' is corrupt or unreadable ({detail})",
            hint="run 'lineage cache clear' to start a fresh cache",
        )
        self.path = path
