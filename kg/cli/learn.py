"""Commands of the learned layer: train, and eval's cross-validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from kg.cli import app, fail
from kg.errors import KGError

__all__ = ["cross_validate_cli", "train_cli"]

_SHIPPED = Path(__file__).resolve().parent.parent / "models" / "extractor"


def _pool(
    gold: list[Path], docs: list[Path], cluener: Path | None
) -> tuple[list[Any], list[Any]]:
    """Read the gold pool and the CLUENER examples, running the rules once each."""
    from kg.build import load_nlp
    from kg.extract import propose_document
    from kg.learn import crossval
    from kg.learn.cluener import cluener_examples

    nlp = load_nlp()
    pairs = crossval.find_pool(gold, docs)

    def propose(source: str, articles: list[Any]) -> Any:
        return propose_document(source, articles, nlp)

    pool = crossval.load_pool(pairs, propose)
    extra = [] if cluener is None else cluener_examples(cluener, propose)
    return pool, extra


ClueOpt = Annotated[
    Path | None,
    typer.Option(
        "--cluener-train",
        help="CLUENER train.json: more entity examples (the rules' Companies).",
    ),
]


@app.command("train")
def train_cli(
    gold: Annotated[
        list[Path],
        typer.Option(
            "--gold", help="Gold JSON files or folders (searched recursively)."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="The model's folder (model.json is written).")
    ] = _SHIPPED,
    docs: Annotated[
        list[Path] | None,
        typer.Option(
            "--docs", help="Folders holding documents named by gold 'source'."
        ),
    ] = None,
    cluener: ClueOpt = None,
) -> None:
    """Train the entity and relation classifiers from gold graphs (deterministic)."""
    from kg.learn import model as learned
    from kg.learn import train

    try:
        pool, extra = _pool(gold, list(docs or []), cluener)
        trained = train.train_model(pool, extra=extra)
        path = learned.save_model(trained, out)
    except KGError as err:
        fail(err)
        return
    typer.echo(f"trained on {len(pool)} documents: {path} (version {trained.version})")


def cross_validate_cli(
    gold: list[Path],
    docs: list[Path],
    k: int,
    seed: int,
    as_json: bool,
    cluener: Path | None = None,
) -> None:
    """Print the cross-validated scores of the learned layer (``kg eval --cv K``)."""
    from kg.learn import crossval, train

    try:
        pool, extra = _pool(gold, docs, cluener)
        if not 2 <= k <= len(pool):
            raise KGError(
                f"--cv {k}: give between 2 and {len(pool)} folds "
                f"for {len(pool)} documents"
            )
        result = crossval.cross_validate(
            pool, k, seed, trainer=lambda d: train.train_model(d, extra=extra)
        )
    except KGError as err:
        fail(err)
        return
    typer.echo(
        json.dumps(result.as_json(), ensure_ascii=False, indent=1)
        if as_json
        else result.as_text()
    )
