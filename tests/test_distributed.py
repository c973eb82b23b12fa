"""Notebook runs sent to a dask.distributed cluster (``workbench run --scheduler``), on a local cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.errors import ConfigError


@pytest.mark.slow
def test_a_run_on_a_local_cluster_gives_the_outputs_of_a_local_run(project_copy: Path, monkeypatch, tmp_path: Path):
    from distributed import LocalCluster

    from workbench.batch.runner import RunOptions, run_batch

    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    briefs = ["ES001C", "IT004C", "PT001C"]
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        remote = run_batch(RunOptions(city_ids=[], briefs=tuple(briefs), run_dir=tmp_path / "remote", annex=None,
                                      force=True, engine="dask", scheduler=cluster.scheduler_address))
    assert remote.ok, [(r.name, r.error) for r in remote.failed]
    local = run_batch(RunOptions(city_ids=[], briefs=tuple(briefs), run_dir=tmp_path / "local", annex=None, force=True))
    assert local.ok
    for place in briefs:
        for name in ("brief.json", "brief.html"):
            assert (tmp_path / "remote" / "briefs" / place / name).read_bytes() == \
                (tmp_path / "local" / "briefs" / place / name).read_bytes(), (place, name)
    manifest = json.loads((tmp_path / "remote" / "manifest.json").read_text(encoding="utf-8"))
    assert [n["status"] for n in manifest["notebooks"]] == ["ok"] * 3
    assert (tmp_path / "remote" / "briefs" / "index.html").is_file()


def test_an_unreachable_scheduler_is_refused_before_anything_runs(project_copy: Path, monkeypatch):
    from workbench.batch.runner import RunOptions, run_batch

    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    with pytest.raises(ConfigError, match=r"--scheduler tcp://127\.0\.0\.1:9: cannot reach the dask scheduler"):
        run_batch(RunOptions(city_ids=["tunis"], engine="dask", scheduler="tcp://127.0.0.1:9", annex=None))
    assert not any((project_copy / "outputs").iterdir())
