"""``workbench check``: whether an executed run's sentences and exhibits agree, read from its saved files."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.cli.output import console, final


def check(args) -> int:
    """Check the run ``args.run`` (default ``outputs/latest``); print each disagreement; return the exit code."""
    from workbench.analysis import city_tables, run_check
    from workbench.errors import DataError
    from workbench.provenance import Manifest
    from workbench.report.exhibits import read_saved

    run_dir = _run_folder(args.run)
    manifest = Manifest.read(run_dir)
    records = manifest.succeeded()
    if not records:
        raise DataError(f"{run_dir / 'manifest.json'}: no notebook of this run succeeded; nothing to check")
    found, exhibits, checked, unverifiable, unsaved = [], {}, 0, 0, []
    for record in records:
        folder = (run_dir / record.notebook).parent
        subject = record.city_id or f"{folder.parent.name}/{folder.name}"
        saved = read_saved(folder / city_tables.EXHIBITS_FOLDER if record.city_id else folder)
        tables = {e.slug: e.table for e in saved or [] if e.table is not None}
        exhibits[subject] = tables
        if not record.city_id:
            continue
        claims = city_tables.read(city_tables.CLAIMS, folder.parent, record.city_id)
        if claims is None:
            unsaved.append(record.city_id)
            continue
        result = run_check.check_claims(record.city_id, claims, tables)
        found += result.disagreements
        checked += result.checked
        unverifiable += result.unverifiable
    found += run_check.check_exhibits(exhibits)
    summary = f"{len(found)} disagreements in {run_dir}"
    if args.json:
        print(json.dumps({"run": str(run_dir), "disagreements": [d.as_dict() for d in found], "count": len(found),
                          "claims_checked": checked, "claims_without_saved_cell": unverifiable,
                          "cities_without_saved_claims": unsaved}, indent=1, ensure_ascii=False))
    else:
        out = console()
        for disagreement in found:
            out.print(disagreement.line(), markup=False, highlight=False)
        if unsaved:
            out.print(f"note: no saved claims for {', '.join(unsaved)} (a run made before claims were saved); "
                      "their sentences were not checked", markup=False, highlight=False)
        out.print(f"{checked} claims checked against their cells ({unverifiable} cite a table not shown as saved)",
                  markup=False, highlight=False)
        final(out, summary)
    return DataError.exit_code if found else 0


def _run_folder(run: str | None) -> Path:
    # a run folder path, or a run id under outputs/ (default: outputs/latest)
    from workbench import paths
    from workbench.errors import DataError

    if not run:
        return paths.outputs_dir() / "latest"
    given = Path(run)
    if given.is_dir():
        return given
    under = paths.outputs_dir() / run
    if given.name == run and under.is_dir():
        return under
    raise DataError(f"{run}: no such run folder (give a run folder or a run id under {paths.outputs_dir()})")
