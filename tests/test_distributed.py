"""``kg build --engine dask``: extraction on a real Dask cluster on loopback.

A scheduler and two single-threaded workers run as separate processes on
127.0.0.1 (started and stopped here); the store they help build must hold
exactly the quads of a build in one process. The articles are invented.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the dask extra is not installed")

from kg import build, push, rdf, store
from kg.distributed import build_on_cluster, dask_executor
from kg.errors import ConfigError
from tests.test_push import Server, oxigraph_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::DeprecationWarning"
)

ROOT = Path(__file__).resolve().parents[1]
PLACES = ["望江市", "南岭市", "北洲区", "西岑县", "临河市", "青川县"]
FIRMS = ["青川新材料科技有限公司", "东篱智能科技股份有限公司", "溪山能源集团有限公司"]
PEOPLE = ["柏承宇", "鲁明哲", "葛云帆", "苗立言", "聂秋白", "郁清和"]


def _stories() -> list[dict[str, str]]:
    out = []
    for i in range(12):
        place, firm, person = PLACES[i % 6], FIRMS[i % 3], PEOPLE[(i * 5) % 6]
        text = (
            f"{i + 1}月8日，{firm}与{place}人民政府签署合作协议，"
            f"{place}新能源装备产业园项目正式开工。"
            f"{firm}董事长{person}表示，项目总投资{i + 2}亿元。"
            f"{place}委书记{PEOPLE[i % 6]}出席开工仪式。"
        )
        out.append(
            {
                "id": f"d-{i}",
                "title": f"{place}签约",
                "date": "2025-01-08",
                "text": text,
            }
        )
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
    for p in reversed(procs):
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler and two worker processes on 127.0.0.1."""
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, args: list[str]) -> None:
        log = (logs / f"{name}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", *args],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        )

    try:
        start(
            "scheduler",
            [
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                port,
                "--dashboard-address",
                "127.0.0.1:0",
            ],
        )
        for n in range(2):
            start(
                f"worker{n}",
                [
                    "distributed.cli.dask_worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--no-dashboard",
                    "--memory-limit",
                    "0",
                    "--name",
                    f"w{n}",
                ],
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout=5, set_as_default=False) as client:
                    client.wait_for_workers(
                        2, timeout=max(1, deadline - time.monotonic())
                    )
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline or any(
                    p.poll() is not None for p in procs
                ):
                    raise RuntimeError(
                        "the Dask cluster did not start: "
                        + " | ".join(
                            f.read_text()[-300:] for f in sorted(logs.iterdir())
                        )
                    ) from None
                time.sleep(0.5)
        yield address
    finally:
        _stop(procs)


def _quads(path: Path) -> list[str]:
    with store.opened_dataset("oxigraph", path) as ds:
        inner = store._oxigraph(ds)
        assert inner is not None
        return sorted(str(q) for q in inner)


def test_a_dask_cluster_builds_the_store_one_process_builds(
    cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "news.jsonl"
    src.write_text(
        "\n".join(json.dumps(s, ensure_ascii=False) for s in _stories()) + "\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(build, "BATCH_CHARS", 250)  # several tasks
    local = build.build([src], tmp_path / "local", workers=1)
    seen: list[build.BuildProgress] = []
    remote = build_on_cluster(
        [src], tmp_path / "dask", cluster, on_progress=seen.append
    )
    assert not remote.problems and remote.documents == local.documents == 12
    assert (remote.entities, remote.relations, remote.quads) == (
        local.entities,
        local.relations,
        local.quads,
    )
    assert _quads(tmp_path / "dask") == _quads(tmp_path / "local")
    assert sum(remote.workers.values()) == len(seen) >= 4
    assert len(remote.workers) == 2  # both worker processes did some of it
    again = build_on_cluster([src], tmp_path / "dask", cluster)
    assert again.unchanged == 12 and again.documents == 0


def test_an_unreachable_scheduler_is_a_config_error() -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    with (
        pytest.raises(ConfigError, match="cannot reach the Dask scheduler"),
        dask_executor(address, timeout=2),
    ):
        pass  # pragma: no cover


def test_kg_build_on_the_cluster_writes_to_a_sparql_server(
    cluster: str, oxigraph_server: Server, tmp_path: Path
) -> None:
    """`kg build --engine dask --push-endpoint`: the server ends up with the store's graphs."""
    src = tmp_path / "news.jsonl"
    src.write_text(
        "\n".join(json.dumps(s, ensure_ascii=False) for s in _stories()[:4]) + "\n",
        encoding="utf-8",
    )
    path = tmp_path / "store"
    run = subprocess.run(
        [
            sys.executable, "-m", "kg", "build", str(src), "--store", str(path),
            "--engine", "dask", "--scheduler", cluster,
            "--push-endpoint", oxigraph_server.update,
        ],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    with store.opened_dataset("oxigraph", path) as ds:
        local = push.local_counts(ds)
        derived = store.derived_graphs(ds)
    # the 4 articles' graphs and those derived from them (the statistics at least)
    assert rdf.STATISTICS_GRAPH in derived
    assert f"pushed {4 + len(derived)} graphs" in run.stdout
    remote = push.remote_counts(oxigraph_server.query)
    assert len(local) == 4 + len(derived)
    assert all(remote.get(g) == n for g, n in local.items())
    # an unchanged rebuild stores nothing and so pushes nothing
    again = subprocess.run(
        [
            sys.executable, "-m", "kg", "build", str(src), "--store", str(path),
            "--push-endpoint", oxigraph_server.update,
        ],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert again.returncode == 0 and "unchanged: 4" in again.stdout
    assert "pushed 0 graphs" in again.stdout
