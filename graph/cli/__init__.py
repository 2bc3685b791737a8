"""The ``lineage`` command: a thin typer shell over :class:`graph.explore.Engine`.

JSON goes to stdout, messages to stderr. A :class:`graph.core.errors.LineageError` becomes one line on
stderr and its exit code (2 for bad input such as an unknown lineage or paper, 1 for runtime
failures); nothing ever shows a traceback to the user. Each file here holds flags and printing only:
``questions`` (show, ancestors, frontier, check, path, order), ``catalogue`` (seeds, lineages),
``data`` (expand, export, snapshot, cache), ``evaluate`` (eval).
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from graph.cli import catalogue, data, evaluate, questions

__all__ = ["app", "main"]

app = typer.Typer(
    name="lineage",
    help="See where ideas in machine learning come from: seeds -> citation graph -> lineages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class _Quiet(logging.Handler):
    """Swallows library log records (the CLI prints its own plain-words notices)."""

    def emit(self, record: logging.LogRecord) -> None:
        pass


class _Verbose(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at emit time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        import sys

        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


@app.callback()
def _main(ctx: typer.Context,
          verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each HTTP request.")] = False) -> None:
    """Library logs reach stderr only with --verbose; the handler lives for this command only."""
    log = logging.getLogger("graph")
    handler: logging.Handler = _Verbose() if verbose else _Quiet()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    saved = (log.level, log.propagate)
    log.addHandler(handler)
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    log.propagate = False

    def restore() -> None:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]

    ctx.call_on_close(restore)


questions.register(app)
app.registered_commands.extend(catalogue.app_commands.registered_commands)
app.registered_commands.extend(data.app_commands.registered_commands)
app.add_typer(data.snapshot_app, name="snapshot")
app.add_typer(data.cache_app, name="cache")
app.add_typer(evaluate.eval_app, name="eval")


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
