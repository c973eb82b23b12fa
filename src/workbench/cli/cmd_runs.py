"""``workbench runs``, ``clean`` and ``publish``: the run folders of ``outputs/`` listed, pruned and copied for readers."""

from __future__ import annotations

import json
import shutil

from workbench.cli.output import console


def runs(args) -> int:
    """List the run folders of ``outputs/``, newest first (a table, or JSON with ``--json``); return the exit code."""
    from workbench import paths
    from workbench.batch.runs import list_runs, pointers

    outputs = paths.outputs_dir()
    found = list_runs(outputs)
    marks = pointers(outputs)
    if args.json:
        print(json.dumps({"project": str(paths.project_root()), "outputs": str(outputs),
                          **{name.replace("-", "_"): str(target) if target else None for name, target in marks.items()},
                          "runs": [r.as_dict() for r in found]}, indent=1, ensure_ascii=False))
        return 0
    out = console()
    if not found:
        out.print(f"no run in {outputs} (`workbench run` makes one)", markup=False)
    for line in _table(found) if found else []:
        out.print(line, markup=False)
    for name, target in marks.items():
        if target is not None and target.parent != outputs.resolve():
            out.print(f"outputs/{name} -> {target} (outside outputs/)", markup=False)
        elif target is not None and not target.is_dir():
            out.print(f"outputs/{name} -> {target.name}, which no longer exists", markup=False)
    return 0


def clean(args) -> int:
    """Delete all but the newest ``--keep N`` runs (dry run unless ``--yes``); return the exit code."""
    from workbench import paths
    from workbench.batch.lock import hold
    from workbench.batch.runs import delete_runs, human_size, leftovers, list_runs, plan_clean

    out = console()
    outputs = paths.outputs_dir()
    plan = plan_clean(list_runs(outputs), args.keep)  # refuses a negative N before anything
    if not args.yes or not plan.delete:
        _show_plan(out, plan, deleting=False)
        if plan.delete:
            out.print(f"dry run: nothing deleted; `workbench clean --keep {args.keep} --yes` deletes them", markup=False)
        return 0
    with hold(outputs, f"workbench clean --keep {args.keep} --yes"):
        plan = plan_clean(list_runs(outputs), args.keep)  # again under the lock: a run may have ended meanwhile
        _show_plan(out, plan, deleting=True)
        for folder in leftovers(outputs):
            shutil.rmtree(folder, ignore_errors=True)
        deleted = delete_runs(plan)
    out.print(f"deleted {len(deleted)} run(s), {human_size(plan.freed)} freed", markup=False)
    return 0


def publish(args) -> int:
    """Copy what a reader needs of a run to DEST and check its links; return the exit code."""
    from workbench.batch.release import find_run, publish_run
    from workbench.batch.runs import human_size

    run = find_run(args.run)
    done = publish_run(run, args.dest)
    out = console()
    out.print(f"published run {run.name} to {done.dest}: {done.files} files, {human_size(done.size)}; "
              f"{done.links} links checked, all inside it", markup=False)
    out.print(f"readers open {done.dest / 'index.html'}", markup=False)
    return 0


def _show_plan(out, plan, deleting: bool) -> None:
    from workbench.batch.runs import human_size

    verb = "deleting" if deleting else "would delete"
    width = max((len(r.id) for r in [*plan.delete, *(run for run, _ in plan.keep)]), default=0)
    if not plan.delete:
        out.print(f"nothing to delete: {len(plan.keep)} run(s) kept", markup=False)
    else:
        out.print(f"{verb} {len(plan.delete)} run(s), {human_size(plan.freed)}:", markup=False)
        for run in plan.delete:
            out.print(f"  {run.id:<{width}}  {run.status:<11} {human_size(run.size):>9}", markup=False)
    if plan.keep:
        out.print(f"keeping {len(plan.keep)} run(s):", markup=False)
    for run, why in plan.keep:
        out.print(f"  {run.id:<{width}}  {run.status:<11} {human_size(run.size):>9}  {why}", markup=False)


def _table(found) -> list[str]:
    # a plain table, columns aligned with spaces: its lines stay whole in a narrow terminal or a pipe
    from workbench.batch.runs import human_size

    rows = [("", "run", "status", "started (UTC)", "cities", "notebooks", "formats", "languages", "size", "commit",
             "reused from")]
    for r in found:
        mark = ("*" if "latest" in r.pointers else "") + (">" if "last-attempt" in r.pointers else "")
        cities = ",".join(r.cities) if len(r.cities) <= 3 else f"{len(r.cities)} cities"
        if r.briefs:
            cities += f"+{r.briefs} briefs"
        commit = r.commit[:12] + ("-dirty" if r.commit.endswith("-dirty") else "") if r.commit else "-"
        rows.append((mark, r.id, "running" if r.running else r.status, r.started.replace("T", " ")[:16],
                     cities or "-", str(r.notebooks), ",".join(r.formats) or "-", ",".join(r.languages) or "-",
                     human_size(r.size), commit, ",".join(r.reused_from) or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return [*lines, "newest first; * marks the run outputs/latest points at, > the one outputs/last-attempt points at"]
