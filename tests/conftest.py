"""Shared fixtures: one pipeline per session (blank zh + kg components)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from kg.pipeline import make_nlp

    return make_nlp()


def needs_shared(*parts: str) -> Path:
    """Return a path under ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"{path} not found: ../shared (seed, gold, dev set) is absent on this machine"
        )
    return path
