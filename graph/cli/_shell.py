"""What every command shares: option types, error translation, printing of answers, progress."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from graph.core.errors import LineageError

if TYPE_CHECKING:
    from graph.explore import Answer, Engine

__all__ = [
    "Fmt",
    "FormatOpt",
    "LineageOpt",
    "LineagesOpt",
    "OfflineOpt",
    "Progress",
    "QuietOpt",
    "RefreshOpt",
    "SeedsOpt",
    "dump",
    "engine",
    "err",
    "handle_errors",
    "print_answer",
    "stop_progress",
    "table",
]

log = logging.getLogger("graph")


class Fmt(str, Enum):
    table = "table"
    json = "json"


SeedsOpt = Annotated[
    Path | None,
    typer.Option("--seeds", envvar="LINEAGE_SEEDS", help="Your own seeds: a YAML, BibTeX or text file (or folder)."),
]
FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="table or json")]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Snapshot + cache only; no network.")]
LineageOpt = Annotated[str | None, typer.Option("--lineage", "-l", help="A lineage name (see 'lineage lineages').")]
LineagesOpt = Annotated[list[str] | None, typer.Option("--lineage", "-l", help="Lineage name; repeat for several.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No plan line, no progress bar.")]
RefreshOpt = Annotated[bool, typer.Option("--refresh", help="Online: fetch the question's lists again even when "
                                                            "the cache holds fresh ones (younger than 30 days).")]

F = TypeVar("F", bound=Callable[..., Any])


def err(msg: str) -> None:
    """One line on stderr."""
    typer.echo(msg, err=True)


def handle_errors(fn: F) -> F:
    """Map library errors to one line on stderr and an exit code (2 bad input, 1 runtime, 130 Ctrl-C)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            out = fn(*args, **kwargs)
            stop_progress()
            return out
        except LineageError as e:
            stop_progress()
            err(f"error: {e}")
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            stop_progress()
            err("interrupted: what was fetched so far is saved in the cache; run the command again to resume")
            raise typer.Exit(130) from None
        except OSError as e:
            err(f"error: {e.strerror or e} ({getattr(e, 'filename', '') or ''})")
            raise typer.Exit(1) from None
        except typer.Exit:
            raise
        except Exception as e:  # the user never sees a traceback; --verbose logs it
            log.debug("unexpected error", exc_info=True)
            err(f"error: unexpected {type(e).__name__}: {e} (run with --verbose for details; please report it)")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def engine(seeds: Path | None, offline: bool, *, quiet: bool = False, refresh: bool = False) -> Engine:
    """The orchestration layer for this command, with the CLI's plan line and progress bar."""
    from graph.explore import Engine

    bar = Progress(quiet)
    return Engine.from_env(seeds, offline=offline or None, refresh=refresh, progress=bar, announce=bar.announce)


def table(rows: list[dict[str, Any]], columns: list[str], *, title: str | None = None) -> None:
    """A rich table that fits the terminal's width (text columns fold)."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold", no_wrap=c in ("#", "year", "score", "step"))
    for r in rows:
        t.add_row(*[_cell(r.get(c)) for c in columns])
    width = shutil.get_terminal_size((120, 24)).columns
    Console(width=max(60, width)).print(t)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    if isinstance(v, dict):
        return ", ".join(f"{a} {b:.2f}" if isinstance(b, float) else f"{a} {b}" for a, b in v.items())
    return str(v)


def dump(obj: Any) -> None:
    """JSON on stdout."""
    typer.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def print_answer(ans: Answer, fmt: Fmt) -> None:
    """Notes on stderr, rows as JSON or a table on stdout."""
    for note in ans.notes:
        err(note if note.startswith(("warning:", "notice:")) else f"note: {note}")
    if fmt == Fmt.json:
        dump(ans.rows)
    else:
        table(ans.rows, ans.columns, title=ans.title)


class Progress:
    """The CLI's display of an online build: the plan first (what will be fetched and how long it takes),
    then a rich progress bar per stage on stderr. Silent with --quiet and when nothing is fetched."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.armed = False
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def announce(self, plan: Any) -> None:
        """Say what will be fetched, before the first request."""
        if self.quiet:
            return
        err(plan.describe())
        self.armed = True

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet or not self.armed:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), console=Console(stderr=True))
            self._bar.start()
            _ACTIVE.append(self)
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(stage, total=max(total, 1))
        self._bar.update(self._tasks[stage], completed=done, total=max(total, 1))

    def stop(self) -> None:
        """End the display (the final state stays on screen)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


_ACTIVE: list[Progress] = []


def stop_progress() -> None:
    """Stop every progress display (at the end of a command, also after an error or Ctrl-C)."""
    while _ACTIVE:
        _ACTIVE.pop().stop()
