"""Extraction on a Dask cluster: ``kg build --engine dask --scheduler ADDRESS``.

The build process still reads the files, skips unchanged documents and writes
the store (``kg.store`` semantics: each batch of documents in one transaction);
only extraction (NLP, resolution, relations, RDF, SHACL check, written out as
N-Triples) runs on the cluster, one batch of documents (``kg.build.Job``) per
task, through the ``concurrent.futures`` executor of a ``distributed.Client``.
The store is therefore the one a local build makes. To fill a SPARQL server,
push the store afterwards (``kg push``).

Every worker must have the same version of kg installed (it is checked), and
should run one thread (``dask worker ADDRESS --nthreads 1``; a worker process
runs one batch at a time anyway): start as many worker processes as there are
cores. Needs the ``distributed`` package (``pip install 'kg[dask]'``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kg import __version__
from kg.errors import ConfigError

__all__ = ["ENGINES", "build_on_cluster", "dask_executor", "worker_versions"]

ENGINES = ("local", "dask")
"""``kg build --engine``: this machine's processes, or a Dask cluster."""


def _kg_version() -> str:
    """Return the kg version installed where this runs (on a worker)."""
    from kg import __version__ as version

    return version


def worker_versions(client: Any) -> dict[str, str]:
    """Return the kg version on each worker of a ``distributed.Client``."""
    return dict(client.run(_kg_version))


@contextmanager
def dask_executor(
    scheduler: str, *, timeout: float = 30.0, min_workers: int = 1
) -> Iterator[Executor]:
    """Connect to a Dask scheduler and yield an executor on its workers.

    Args:
        scheduler: the scheduler's address, e.g. ``tcp://10.0.0.5:8786``.
        timeout: seconds to wait for the scheduler and for ``min_workers``.
        min_workers: wait until this many workers have joined.

    Yields:
        A ``concurrent.futures.Executor`` whose tasks run on the workers.

    Raises:
        ConfigError: ``distributed`` is not installed, the scheduler cannot
            be reached, no worker joins in time, or a worker has another
            version of kg.
    """
    try:
        from distributed import Client
    except ImportError as err:
        raise ConfigError(
            "--engine dask needs the distributed package; "
            "install it with `pip install 'kg[dask]'`"
        ) from err
    try:
        client = Client(  # type: ignore[no-untyped-call]
            scheduler, timeout=timeout, set_as_default=False
        )
    except (OSError, TimeoutError) as err:
        raise ConfigError(
            f"cannot reach the Dask scheduler at {scheduler} ({err}); start one "
            "with `dask scheduler` and give its address (tcp://HOST:8786)"
        ) from err
    try:
        try:
            client.wait_for_workers(min_workers, timeout=timeout)
        except TimeoutError as err:
            raise ConfigError(
                f"no Dask worker joined the scheduler at {scheduler} in "
                f"{timeout:.0f} s; start workers with "
                f"`dask worker {scheduler} --nthreads 1`"
            ) from err
        wrong = {w: v for w, v in worker_versions(client).items() if v != __version__}
        if wrong:
            listed = ", ".join(f"{w} has {v}" for w, v in sorted(wrong.items()))
            raise ConfigError(
                f"Dask workers run another kg than this one ({__version__}): "
                f"{listed}; install the same kg on every worker"
            )
        yield client.get_executor(pure=False)  # type: ignore[no-untyped-call]
    finally:
        client.close()  # type: ignore[no-untyped-call]


def build_on_cluster(
    paths: Iterable[Path], store_path: Path, scheduler: str, **options: Any
) -> Any:
    """Run ``kg.build.build`` with extraction on the Dask cluster at ``scheduler``.

    Args:
        paths: files and folders of articles.
        store_path: the local store to write.
        scheduler: the Dask scheduler's address.
        **options: other ``build`` options (``force``, ``validate``, ...).

    Returns:
        The ``BuildSummary``.

    Raises:
        ConfigError: as :func:`dask_executor`.
        StoreError: as ``build``.
    """
    from kg import build

    with dask_executor(scheduler) as executor:
        return build.build(paths, store_path, executor=executor, **options)
