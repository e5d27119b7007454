"""The same build on a Dask LocalCluster (127.0.0.1) gives the same archive as the local process pool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import needs
from edoc.archive import ArchivePolicy, audit_archive, build_archive

from .conftest import make_sources
from .fakes import fake_verify

distributed = needs.module("distributed")  # the edoc[dask] extra

TESTS = Path(__file__).resolve().parents[1]


def _view(root: Path) -> tuple[list[tuple[object, ...]], dict[str, bytes]]:
    lines = [json.loads(x) for x in (root / "outcomes.jsonl").read_text("utf-8").splitlines()]
    outcomes = sorted((x["name"], x["outcome"], x["verdict"], x["record"], x["package"], x["sha256"]) for x in lines)
    manifests = {p.name: (p / "manifest-sha256.txt").read_bytes() for p in (root / "packages").iterdir()}
    return outcomes, manifests


@pytest.mark.slow
def test_dask_local_cluster_equals_local_run(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(TESTS))  # the workers unpickle the injected verifier
    src = tmp_path / "src"
    make_sources(src, records=3, pdfs_per_record=3, forged=1)
    policy = ArchivePolicy(verify=fake_verify)
    local = build_archive([src], tmp_path / "local", policy=policy, jobs=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as cluster:  # no fixed port (8787)
        remote = build_archive([src], tmp_path / "dask", policy=policy, scheduler=cluster.scheduler_address)
        audit = audit_archive(tmp_path / "dask", policy=policy, scheduler=cluster.scheduler_address)
    assert local.to_dict() | {"archive": ""} == remote.to_dict() | {"archive": ""}
    assert _view(tmp_path / "local") == _view(tmp_path / "dask")
    assert audit.ok and len(audit.packages) == local.packages
