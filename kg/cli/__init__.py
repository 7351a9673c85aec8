"""The ``kg`` command line: each command converts arguments, calls the library, prints.

One module per group of commands (``commands.py``: build, extract, eval, query,
viz, export, demo); each registers on ``app`` when imported at the end of this file.

Exit codes: 0 success, 1 a user-fixable error (one line; ``--verbose`` for the
traceback) or skipped input, 2 a usage error.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from kg.errors import KGError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="kg: build, query and view knowledge graphs of Chinese news (offline).",
)
logger = logging.getLogger("kg")
_state: dict[str, bool] = {"verbose": False}

StoreOpt = Annotated[Path, typer.Option("--store", help="Store directory (oxigraph).")]


@app.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log details.")
    ] = False,
) -> None:
    """Build, query and view knowledge graphs of Chinese news."""
    _state["verbose"] = verbose
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def fail(err: KGError) -> None:
    """Print a user-fixable error as one line and exit 1."""
    if _state["verbose"]:
        logger.exception("error")
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(1)


def warn_if_counts_are_stale(dataset: Any, store: Path) -> None:
    """Say on stderr when the counts saved queries read are out of date."""
    from kg import store as kg_store

    if not kg_store.statistics_current(dataset):
        typer.echo(
            f"warning: the counts in {store} are out of date (kept by an earlier kg, "
            "or a build stopped before counting): saved queries may miss rows; "
            f"`kg build FOLDER --store {store}` counts them again (unchanged files "
            "are not read again)",
            err=True,
        )


def progress(items: Sequence[Any], desc: str) -> Iterator[Any]:
    """Wrap items in a progress bar on a terminal (quiet in CI and when piped)."""
    from tqdm import tqdm

    yield from tqdm(items, desc=desc, disable=None, unit="file", file=sys.stderr)


def main() -> None:
    """Run the CLI (the ``kg`` console script); no traceback unless ``-v``."""
    try:
        # Without standalone mode, click returns typer.Exit's code instead of exiting.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except KGError as err:
        typer.echo(f"error: {err}", err=True)
        sys.exit(1)
    except Exception as err:  # a bug: one line, the traceback only with -v
        if callable(getattr(err, "show", None)) and hasattr(err, "exit_code"):
            # A usage error from typer's own (vendored) click: its message, exit 2.
            err.show()
            sys.exit(err.exit_code)
        if _state["verbose"]:
            raise
        typer.echo(
            f"internal error: {type(err).__name__}: {err} (rerun with -v and report it)",
            err=True,
        )
        sys.exit(1)


# Register the commands (their modules import ``app`` from here).
from kg.cli import commands  # noqa: E402
from kg.cli import learn  # noqa: E402
from kg.cli import serve  # noqa: E402

__all__ = ["app", "commands", "learn", "main"]
