"""Commands of the learned layer: train, and eval's cross-validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kg.cli import app, fail
from kg.errors import KGError

__all__ = ["cross_validate_cli", "train_cli"]

_SHIPPED = Path(__file__).resolve().parent.parent / "models" / "extractor"


def _pool(gold: list[Path], docs: list[Path]) -> list[object]:
    """Read the gold pool and run the rules on each document, once."""
    from kg.build import load_nlp
    from kg.extract import propose_document
    from kg.learn import crossval

    nlp = load_nlp()
    pairs = crossval.find_pool(gold, docs)
    return list(
        crossval.load_pool(pairs, lambda s, a: propose_document(s, a, nlp))
    )


@app.command("train")
def train_cli(
    gold: Annotated[
        list[Path],
        typer.Option("--gold", help="Gold JSON files or folders (searched recursively)."),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="The model's folder (model.json is written).")
    ] = _SHIPPED,
    docs: Annotated[
        list[Path] | None,
        typer.Option("--docs", help="Folders holding documents named by gold 'source'."),
    ] = None,
) -> None:
    """Train the entity and relation classifiers from gold graphs (deterministic)."""
    from kg.learn import model as learned
    from kg.learn import train

    try:
        pool = _pool(gold, list(docs or []))
        trained = train.train_model(pool)  # type: ignore[arg-type]
        path = learned.save_model(trained, out)
    except KGError as err:
        fail(err)
        return
    typer.echo(f"trained on {len(pool)} documents: {path} (version {trained.version})")


def cross_validate_cli(
    gold: list[Path], docs: list[Path], k: int, seed: int, as_json: bool
) -> None:
    """Print the cross-validated scores of the learned layer (``kg eval --cv K``)."""
    from kg.learn import crossval

    try:
        pool = _pool(gold, docs)
        if not 2 <= k <= len(pool):
            raise KGError(
                f"--cv {k}: give between 2 and {len(pool)} folds for {len(pool)} documents"
            )
        result = crossval.cross_validate(pool, k, seed)  # type: ignore[arg-type]
    except KGError as err:
        fail(err)
        return
    typer.echo(
        json.dumps(result.as_json(), ensure_ascii=False, indent=1)
        if as_json
        else result.as_text()
    )
