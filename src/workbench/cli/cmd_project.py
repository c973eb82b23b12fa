"""``workbench ingest``, ``validate``, ``new-city`` and ``chapters``: build, check and extend the project's inputs."""

from __future__ import annotations

import sys

from workbench.cli.output import console, final
from workbench.errors import ConfigError


def ingest(args) -> int:
    """Rebuild data/tidy from ``--raw``; return the exit code."""
    from workbench.tidy.ingest import ingest

    out = console()
    only = [s.strip() for value in args.only for s in value.split(",") if s.strip()] if args.only else None
    results = ingest(args.raw, args.out, only, accept_changes=args.accept_changes)
    for r in results:
        note = "  (raw file differs from the registry checksum: update the registry entry)" if r.checksum_changed else ""
        if r.accepted:
            note += f"  ({r.accepted} implausible change(s) accepted: listed in its .meta.yaml)"
        unit = "areas" if r.kind == "boundaries" else "rows"
        out.print(f"{r.source_id:<45} {r.rows:>8} {unit:<5} {r.table}{note}")
    changed = sum(1 for r in results if r.checksum_changed)
    final(out, f"ingested {len(results)} source(s)" + (f"; {changed} raw file(s) differ from the registry checksum"
                                                       if changed else ""))
    return 0


def validate(args) -> int:
    """Check the project, or the files given, or one city; return the exit code."""
    from workbench.validate import KINDS, exit_code, validate_all, validate_paths

    if args.kind is not None and args.kind not in KINDS:
        raise ConfigError(f"argument --kind: invalid choice: '{args.kind}' (choose from {', '.join(KINDS)})")

    out = console()
    if args.paths:
        checks = validate_paths(args.paths, kind=args.kind, city=args.city)
    elif args.kind:
        raise ConfigError("--kind applies to the files given as PATH; give at least one")
    elif args.city:
        from workbench.validate import validate_city

        checks = validate_city(args.city)
    else:
        checks = validate_all()
    for c in checks:
        mark = "FAIL" if not c.ok else ("WARN" if c.warning else "todo" if c.todo else "ok  ")
        out.print(f"{mark} {c.what}: {c.message}", markup=False)
    failed = [c for c in checks if not c.ok]
    if failed:
        print(f"error: {len(failed)} of {len(checks)} checks failed", file=sys.stderr)
        return exit_code(checks)
    todo = sum(1 for c in checks if c.todo)
    warned = sum(1 for c in checks if c.warning)
    final(out, f"all {len(checks)} checks passed" + (f"; {todo} things still to do (todo)" if todo else "")
          + (f"; {warned} with a warning (WARN: not published as written)" if warned else ""))
    return 0


def new_city(args) -> int:
    """Scaffold a new city (registry entry, params, figures file, chapter drafts); return the exit code."""
    from workbench import paths
    from workbench.newcity import plan_city, write_city

    codes: dict[str, list[str]] = {}
    if args.eurostat:
        codes["eurostat_urban_audit"] = args.eurostat
    if args.qol:
        codes["qol_city"] = args.qol
    for item in args.code:
        system, sep, code = item.partition("=")
        if not sep or not system.strip() or not code.strip():
            raise ConfigError(f"--code {item!r}: expected SYSTEM=CODE, e.g. unhcr_location=\"Cairo : Governorate\"")
        codes.setdefault(system.strip(), []).append(code.strip())
    city = plan_city(args.city_id, {"en": args.name_en, "fr": args.name_fr, "ar": args.name_ar, "local": args.name_local},
                     args.country, codes, country_names={"en": args.country_en, "fr": args.country_fr, "ar": args.country_ar},
                     local_language=args.local_language, shore=args.shore, city_geography=args.geography, note=args.note)
    if args.raw is not None and not args.raw.is_dir():
        raise ConfigError(f"--raw {args.raw}: no such folder; expected the folder of official files")
    scaffold = write_city(city)
    out = console()
    for path in scaffold.written:
        out.print(f"  wrote  {paths.shown(path)}", markup=False)
    if scaffold.to_ingest and args.raw is not None:
        from workbench.tidy.ingest import ingest

        for r in ingest(args.raw, None, scaffold.to_ingest):
            out.print(f"  ingested  {r.source_id:<40} {r.rows:>8} rows", markup=False)
    elif scaffold.to_ingest:
        out.print(f"next: tag the city's rows in the tidy tables: workbench ingest --raw RAW --only "
                      f"{','.join(scaffold.to_ingest)}", markup=False)
    final(out, f"next: workbench validate --city {city.city_id}   (what is still missing; docs/add-your-city.md)")
    return 0




def chapters(args) -> int:
    """Write the chapter drafts of a city already in the network, keeping existing files; return the exit code."""
    from workbench import paths
    from workbench.newcity import write_chapter_drafts

    written, kept = write_chapter_drafts(args.city)
    out = console()
    for path in written:
        out.print(f"  wrote  {paths.shown(path)}", markup=False)
    for path in kept:
        out.print(f"  kept   {paths.shown(path)}  (exists; never overwritten)", markup=False)
    out.print(f"{len(written)} drafts written, {len(kept)} chapter files kept; write below the comments "
              f"(docs/write-your-chapters.md), then: workbench validate --city {args.city}", markup=False)
    return 0
