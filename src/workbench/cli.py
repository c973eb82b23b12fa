"""The `workbench` command: ingest official files, validate inputs, run the batch, render annexes."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from workbench.errors import ConfigError, WorkbenchError

EXIT_CODES = """exit codes:
  0  success
  1  any other error (a system error such as a full disk or a denied permission, or a bug: --debug
     shows its traceback)
  2  wrong parameters, registry entry or option (the message names file and key); another run
     holds outputs/.lock; nothing to resume, or inputs changed since the run to resume
  3  bad or missing data file (the message names file, row and column)
  4  a run finished but at least one notebook failed (raised, timed out, kernel died): see the
     summary and manifest.json; outputs/latest still points at the last fully successful run
  130 interrupted (Ctrl-C): workers and kernels stopped, partial outputs kept in
     outputs/<run id>.interrupted/, nothing published"""


#: The kinds `workbench validate --kind` takes (workbench.validate.KINDS, named here to keep --help light).
VALIDATE_KINDS = ("params", "registry", "chapter", "expert", "tidy", "notebook")
_VALIDATE_EPILOG = """exit codes:
  0  every check passed
  2  a params, registry, chapter or notebook file failed, or a PATH of unknown kind
  3  a data file failed (tidy table, expert figures, unreadable CSV or spreadsheet)"""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the `workbench` command."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Reproducible City Migration Profiles: official statistics -> tidy data -> "
        "papermill notebooks per city -> cross-city comparison -> annexes (HTML, Word, PDF).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="execute the city profiles and the comparison, render annexes",
                         description="Execute notebooks/city_profile.ipynb once per city with params/<city>.yaml "
                         "(in parallel, each in its own process and kernel), then the comparison notebooks on the "
                         "cities that succeeded, then render the annexes (HTML, Word, PDF). A notebook that raises, "
                         "runs past its time limit or whose kernel dies is recorded as failed with its cell; the "
                         "others go on. The run is written into outputs/<run id>.partial/ and renamed at the end: "
                         "outputs/<run id>/ when every notebook succeeded (outputs/latest then points at it), "
                         "outputs/<run id>-failed/ when some failed, outputs/<run id>.interrupted/ after Ctrl-C. "
                         "outputs/last-attempt points at the most recent run whatever its outcome. One run at a "
                         "time: outputs/.lock. A notebook whose inputs are those of one an earlier run made is "
                         "copied from that run with its annexes (--force runs everything).",
                         epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--city", action="append", metavar="ID", help="run only this city (repeatable)")
    run.add_argument("--cities", metavar="ID,ID", help="comma-separated list of cities to run; the word 'eurostat' "
                     "adds a city brief of every Eurostat city with foreign-born data (about 690) and "
                     "briefs/index.html, a searchable page of them")
    run.add_argument("--briefs", metavar="CODE,CODE", help="city briefs of these Eurostat Urban Audit codes only "
                     "(e.g. DE001C,FR001C); --cities eurostat writes them all")
    run.add_argument("--params", action="append", type=Path, metavar="FILE",
                     help="run the city named in this params file (key city_id) with it instead of "
                     "params/<city>.yaml; repeatable; the file may lie anywhere and is checked first")
    run.add_argument("--jobs", "-j", type=int, default=None, help="notebooks run at once (default: one per core)")
    run.add_argument("--timeout", type=int, default=600, metavar="SECONDS",
                     help="seconds allowed per notebook cell (default 600)")
    run.add_argument("--notebook-timeout", type=int, default=None, metavar="SECONDS",
                     help="seconds allowed per notebook, all cells together; at the limit its kernel is "
                     "killed and the notebook recorded as failed (default 1800; 0: no limit)")
    run.add_argument("--run-dir", type=Path, help="write into this new (or empty) folder instead of outputs/<run id>; "
                     "written as DIR.partial, renamed DIR at the end, also when a notebook failed (its "
                     "manifest.json then says status 'failed' and outputs/latest does not move), or "
                     "DIR.interrupted after Ctrl-C")
    run.add_argument("--resume", action="store_true",
                     help="rerun only what failed in the last run (outputs/last-attempt) into a new run: the city "
                     "notebooks that succeeded are copied, the others and then the comparisons run again; refused "
                     "when the last run succeeded or an input file changed since")
    run.add_argument("--force", action="store_true",
                     help="run every notebook again; by default a notebook whose inputs (template, parameters, "
                     "data it reads, src/workbench code, package versions) are those of a notebook an earlier run "
                     "made is copied from that run, with its annexes")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="run the notebooks on a dask.distributed cluster (e.g. tcp://host:8786) instead of local "
                     "workers; its workers must see this project at the same path (see README)")
    run.add_argument("--fresh-kernels", action="store_true",
                     help="start each notebook's kernel as a new interpreter rather than forking it from a "
                     "process that imported the modules once (slower; outputs are the same)")
    run.add_argument("--no-compare", action="store_true", help="skip the cross-city comparison")
    run.add_argument("--no-annex", action="store_true", help="skip rendering the annexes")
    _annex_options(run)

    ingest = sub.add_parser("ingest", help="rebuild data/tidy from a folder of official source files",
                            description="Read the official files listed in data/registry/sources/*.yaml from "
                            "RAW (same sub-folders), reshape, harmonise and validate them, and write data/tidy/.")
    ingest.add_argument("--raw", type=Path, required=True, help="folder holding the official files")
    ingest.add_argument("--only", action="append", metavar="SOURCE_ID",
                        help="build only this source (repeatable, or comma-separated ids)")
    ingest.add_argument("--out", type=Path, help="write tables here instead of data/tidy")

    validate = sub.add_parser(
        "validate", help="check registries, tidy tables, expert figures, parameters and notebooks",
        description="Without PATH: check everything a run depends on (registries, data/tidy, expert figures, "
        "chapters, params, notebook templates) and say what is still missing. With PATH: check those files, "
        "wherever they are, each by its kind (told from its name and content, or --kind), writing nothing. "
        "Every failure names the file and, where there is one, the row (line) and column or key.",
        epilog=_VALIDATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files to check (default: the project)")
    validate.add_argument("--kind", choices=list(VALIDATE_KINDS), help="check every PATH as this kind of file")
    validate.add_argument("--city", metavar="ID", help="without PATH: what this city has and what is still missing "
                          "(entry, params, data, figures, chapters, baseline); with PATH: the city of expert figures "
                          "files (default: the file name)")

    new_city = sub.add_parser(
        "new-city", help="add a city to the network: registry entry, params, figures file, chapter drafts",
        description="Scaffold a new city: an entry in data/registry/cities.yaml (names, country, the codes sources "
        "use for its places), params/ID.yaml, the city in params/compare.yaml, data/local/figures/ID.csv (header "
        "only) with ID-columns.md explaining its columns, and a draft of each chapter in en, fr and ar with its "
        "guiding questions (data/local/chapters/ID/). Files that exist are kept. With --raw, the sources that "
        "use the city's codes are ingested again so that their rows carry the city's id; then `workbench "
        "validate --city ID` lists what is still missing. Guide: docs/add-your-city.md.",
        epilog="example:\n  workbench new-city barcelona --name-en Barcelona --name-fr Barcelone --name-ar برشلونة "
        "\\\n    --local-language ca --country ESP --eurostat ES002C --qol 2601 --raw ../shared/data/raw\n\n"
        + EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    new_city.add_argument("city_id", metavar="ID", help="lower-case id of the city (e.g. barcelona): file names and --city")
    for lang, example in (("en", "Barcelona"), ("fr", "Barcelone; default: the English name"),
                          ("ar", "برشلونة"), ("local", "the name in the local language; default: the English name")):
        new_city.add_argument(f"--name-{lang}", metavar="NAME", help=f"city name ({example})")
    new_city.add_argument("--country", required=True, metavar="ISO3", help="ISO 3166 alpha-3 code of the country (ESP)")
    for lang in ("en", "fr", "ar"):
        new_city.add_argument(f"--country-{lang}", metavar="NAME",
                              help=f"country name in {lang} (default: from a city of the same country)")
    new_city.add_argument("--local-language", metavar="CODE",
                          help="ISO 639-1 code of the local language (default: that of a city of the same country)")
    new_city.add_argument("--shore", choices=("north", "south"), help="shore of the Mediterranean (default: as a city "
                          "of the same country)")
    new_city.add_argument("--eurostat", action="append", default=[], metavar="CODE",
                          help="Eurostat Urban Audit code of the city (e.g. ES002C; repeatable)")
    new_city.add_argument("--qol", action="append", default=[], metavar="CODE",
                          help="city code of the EU Quality of Life survey 2023 (e.g. 2601 for Barcelona)")
    new_city.add_argument("--code", action="append", default=[], metavar="SYSTEM=CODE",
                          help="a code of another system (unhcr_location, istat_territory); repeatable")
    new_city.add_argument("--geography", metavar="LEVEL", help="the area the city's figures describe (default: the "
                          "level of the Eurostat code, e.g. greater_city; country without one)")
    new_city.add_argument("--note", help="why these areas stand for the city (shown in checks and docs)")
    new_city.add_argument("--raw", type=Path, metavar="FOLDER", help="folder of official files: ingest the sources "
                          "that use the city's codes again")

    lab = sub.add_parser(
        "lab", help="start JupyterLab on the project, a city's profile notebook ready to run",
        description="Start JupyterLab on the project with the workbench kernel, a city's profile notebook open: "
        "outputs/lab/ID_profile.ipynb, the template notebooks/city_profile.ipynb with params/ID.yaml filled "
        "in (an edited copy is kept as a .bak file first); Run All computes the profile. Without --city, the "
        "template's own city (madrid). Another city: start again with --city ID (ids: `workbench cities`). "
        "Nothing in the lab copy changes the project's files. Stop it with Ctrl-C. Arguments after '--' go to "
        "JupyterLab.")
    lab.add_argument("--city", metavar="ID", help="open this city's profile notebook")
    lab.add_argument("--port", type=int, metavar="N", help="port to serve on (default: JupyterLab's, 8888 or the next free)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser (print the address instead)")
    lab.add_argument("extra", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    annex = sub.add_parser("annex", help="render the annexes of an executed run (no re-execution)",
                           description="Render the policy-document annexes of a run from its executed notebooks, "
                           "without running them again: one per city (annex A) and the network synthesis "
                           "(annex B), into <run>/annex/<language>/<name>.<format> (each file written under a "
                           "temporary name and renamed when complete). Takes outputs/.lock like `workbench run`.",
                           epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    annex.add_argument("--run", type=Path, default=None, help="run folder (default: outputs/latest)")
    _annex_options(annex)

    places = sub.add_parser("places", help="find the Eurostat Urban Audit code of a city by name (for new-city)",
                            description="List the Eurostat Urban Audit places with foreign-born data whose name "
                            "contains TEXT (case and accents ignored): code, name as published, level, country, "
                            "and the network city already using it.")
    places.add_argument("text", metavar="TEXT", help="part of the name, e.g. marseille")
    sub.add_parser("cities", help="list the cities of the network and their geographies")
    sub.add_parser("sources", help="print the sources registry as Markdown (docs/sources.md)")
    return parser


#: The annex formats (workbench.report.annex.FORMATS, named here so that --help and a cached rerun
#: do not load the annex renderer).
ANNEX_FORMATS = ("html", "docx", "pdf")


def _annex_options(parser: argparse.ArgumentParser) -> None:
    from workbench.report.disclosure import DEFAULT_THRESHOLD
    from workbench.reference.i18n import LANGUAGES

    FORMATS = ANNEX_FORMATS  # noqa: N806

    parser.add_argument("--format", dest="formats", metavar="FMT", type=_choices(FORMATS),
                        help=f"comma-separated formats to write (default: all of {','.join(FORMATS)})")
    parser.add_argument("--lang", dest="languages", metavar="LANG", type=_choices(LANGUAGES),
                        help=f"comma-separated annex languages (default: all of {','.join(LANGUAGES)})")
    parser.add_argument("--suppress-below", type=_threshold, default=DEFAULT_THRESHOLD, metavar="N",
                        help=f"suppress counts of 1 to N-1 persons and the shares computed from them "
                        f"(default {DEFAULT_THRESHOLD}; 0 turns disclosure control off)")


def _choices(allowed: tuple[str, ...]):
    def parse(text: str) -> tuple[str, ...]:
        chosen = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
        wrong = [c for c in chosen if c not in allowed]
        if wrong or not chosen:
            raise argparse.ArgumentTypeError(f"{', '.join(wrong) or 'nothing'} not allowed; choose from {', '.join(allowed)}")
        return chosen
    return parse


def _threshold(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _annex_kwargs(args) -> dict:
    from workbench.reference.i18n import LANGUAGES

    return {"formats": args.formats or ANNEX_FORMATS, "languages": args.languages or LANGUAGES,
            "threshold": args.suppress_below}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `workbench` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.command:
        parser.print_help()
        return 2
    handlers = {"run": _run, "ingest": _ingest, "validate": _validate, "annex": _annex, "cities": _cities,
                "sources": _sources, "new-city": _new_city, "lab": _lab, "places": _places}
    try:
        return handlers[args.command](args)
    except WorkbenchError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # disk full, permission denied, a folder that vanished: the system's words
        if args.debug:
            raise
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: say so in one line; --debug shows where
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc}; please report it with the output of "
              f"`workbench --debug {args.command} ...`", file=sys.stderr)
        return 1


def _console():
    from rich.console import Console

    return Console(stderr=False, highlight=False, soft_wrap=True)


def _selected_cities(args) -> list[str] | None:
    chosen = list(args.city or [])
    if args.cities:
        chosen += [c.strip() for c in args.cities.split(",") if c.strip()]
    return chosen or None


def _run(args) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from workbench.errors import RunError
    from workbench.reference.registry import get_city, load_cities
    from workbench.batch.run import EUROSTAT, NOTEBOOK_TIMEOUT, RunInterrupted, comparisons, resume_batch, run_batch

    console = _console()
    cities = _selected_cities(args)
    briefs = []
    if cities and EUROSTAT in cities:
        from workbench.analysis.brief import brief_places

        briefs = brief_places()["place_id"].tolist()
        cities = [c for c in cities if c != EUROSTAT]
    elif args.briefs:
        from workbench.analysis.brief import check_places

        briefs = check_places([c.strip() for c in args.briefs.split(",") if c.strip()])
    if args.resume and (cities or args.no_compare or args.params):
        raise ConfigError("--resume reruns the notebooks of the last run as they were planned; "
                          "it cannot be combined with --city, --cities, --params or --no-compare")
    for city_id in cities or []:
        get_city(city_id)
    params = _params_files(args.params or [])
    if params:
        cities = list(dict.fromkeys([*(cities or []), *params]))
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {args.jobs}")
    if args.timeout < 1:
        raise ConfigError(f"--timeout must be at least 1 second, got {args.timeout}")
    notebook_timeout = NOTEBOOK_TIMEOUT if args.notebook_timeout is None else args.notebook_timeout
    if notebook_timeout < 0:
        raise ConfigError(f"--notebook-timeout must be 0 (no limit) or more seconds, got {notebook_timeout}")
    network = (cities or []) if briefs else (cities or list(load_cities()))
    count = 0 if args.resume else len(network) + len(briefs) + (0 if args.no_compare or not network else len(comparisons()))
    many = count > _LISTED
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    try:
        with Progress(*columns, console=console, transient=False) as bar:
            task = bar.add_task(f"running {count} notebooks", total=count or None)

            def report(result, done, total):
                mark = "reused" if result.reused_from else ("ok" if result.status == "ok" else result.status.upper())
                if not many or result.status != "ok":  # a long run lists only what went wrong
                    bar.console.print(f"  {result.name:<46} {mark:<6} {result.seconds:6.1f} s", markup=False)
                bar.update(task, completed=done, total=total, description=f"running {total} notebooks")

            def written(path):
                bar.console.print(f"  annex  {path.relative_to(path.parents[2])}", markup=False)

            options = dict(jobs=args.jobs, run_dir=args.run_dir, timeout=args.timeout, notebook_timeout=notebook_timeout,
                           fresh_kernels=args.fresh_kernels,
                           with_annex=not args.no_annex, progress=report,
                           annex_options={**_annex_kwargs(args), "progress": written})
            if args.resume:
                summary = resume_batch(**options)
            else:
                summary = run_batch(cities if cities or not briefs else [], with_compare=not args.no_compare, params=params,
                                    force=args.force, briefs=briefs, scheduler=args.scheduler, **options)
    except RunInterrupted as stop:
        console.print(_summary_table(stop.summary))
        print(f"interrupted; partial outputs in {stop.summary.run_dir}; nothing published", file=sys.stderr)
        return 130
    console.print(_summary_table(summary))
    folders = [str(summary.run_dir / f) for f in ("cities", "compare") if (summary.run_dir / f).is_dir()]
    if folders:
        console.print(f"Executed notebooks: {'  '.join(folders)}", markup=False)
    if (summary.run_dir / "annex").is_dir():
        console.print(f"Annexes: {summary.run_dir / 'annex'}/<language>/<city or network>.<html|docx|pdf>", markup=False)
    if briefs:
        console.print(f"City briefs: {summary.run_dir / 'briefs' / 'index.html'}", markup=False)
    console.print(f"Manifest: {summary.run_dir / 'manifest.json'}", markup=False)
    if not summary.ok:
        names = ", ".join(r.name for r in summary.failed[:10]) + (
            f" and {len(summary.failed) - 10} more" if len(summary.failed) > 10 else "")
        raise RunError(f"{len(summary.failed)} of {len(summary.results)} notebook(s) failed: {names}; "
                       f"outputs of the others are in {summary.run_dir}; nothing published (outputs/latest unchanged)")
    return 0


def _params_files(files: list[Path]) -> dict:
    # city id -> validated parameters, from params files given on the command line
    from workbench.reference.params import check_params_file

    chosen: dict = {}
    for path in files:
        checked = check_params_file(path)
        if isinstance(checked, dict):
            raise ConfigError(f"{path}: a comparison params file (key city_ids); --params takes a city's "
                              "params file (key city_id); the comparison reads params/compare.yaml")
        if checked.city_id in chosen:
            raise ConfigError(f"{path}: a second params file for '{checked.city_id}'; give one per city")
        chosen[checked.city_id] = checked
    return chosen


#: Runs of more notebooks than this list only the failures, in the progress and the summary.
_LISTED = 40


def _summary_table(summary):
    from rich.table import Table
    from rich.text import Text

    if len(summary.results) > _LISTED and not summary.failed:
        reused = sum(1 for r in summary.results if r.reused_from)
        return Text(f"Run {summary.run_dir.name}: all {len(summary.results)} notebooks succeeded "
                    f"({reused} copied from earlier runs); manifest.json lists every one")

    table = Table(title=f"Run {summary.run_dir.name}" + (f" (resumed from {summary.resumed_from})" if summary.resumed_from else ""))
    for column in ("notebook", "status", "seconds", "error"):
        table.add_column(column, overflow="fold")
    listed = summary.results if len(summary.results) <= _LISTED else summary.failed
    if len(listed) < len(summary.results):
        reused = sum(1 for r in summary.results if r.reused_from)
        table.caption = (f"{len(summary.results) - len(listed)} notebooks succeeded ({reused} copied from earlier runs) "
                         "and are not listed; manifest.json lists every one")
    for r in listed:
        cell = f" (cell In [{r.failed_cell}])" if r.failed_cell and f"In [{r.failed_cell}]" not in r.error else ""
        note = f"reused from {r.reused_from}" if r.reused_from else (r.error + cell)[:160]
        table.add_row(Text(r.name), Text(r.status), f"{r.seconds:.1f}", Text(note))
    return table


def _ingest(args) -> int:
    from workbench.tidy.ingest import ingest

    console = _console()
    only = [s.strip() for value in args.only for s in value.split(",") if s.strip()] if args.only else None
    results = ingest(args.raw, args.out, only)
    for r in results:
        note = "  (raw file differs from the registry checksum: update the registry entry)" if r.checksum_changed else ""
        console.print(f"{r.source_id:<45} {r.rows:>8} rows  {r.table}{note}")
    return 0


def _validate(args) -> int:
    from workbench.validate import exit_code, validate_all, validate_paths

    console = _console()
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
        mark = "FAIL" if not c.ok else ("todo" if c.todo else "ok  ")
        console.print(f"{mark} {c.what}: {c.message}", markup=False)
    failed = [c for c in checks if not c.ok]
    if failed:
        print(f"error: {len(failed)} of {len(checks)} checks failed", file=sys.stderr)
        return exit_code(checks)
    todo = sum(1 for c in checks if c.todo)
    console.print(f"all {len(checks)} checks passed" + (f"; {todo} things still to do (todo)" if todo else ""))
    return 0


def _new_city(args) -> int:
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
    console = _console()
    for path in scaffold.written:
        console.print(f"  wrote  {paths.shown(path)}", markup=False)
    if scaffold.to_ingest and args.raw is not None:
        from workbench.tidy.ingest import ingest

        for r in ingest(args.raw, None, scaffold.to_ingest):
            console.print(f"  ingested  {r.source_id:<40} {r.rows:>8} rows", markup=False)
    elif scaffold.to_ingest:
        console.print(f"next: tag the city's rows in the tidy tables: workbench ingest --raw RAW --only "
                      f"{','.join(scaffold.to_ingest)}", markup=False)
    console.print(f"next: workbench validate --city {city.city_id}   (what is still missing; docs/add-your-city.md)",
                  markup=False)
    return 0


def _places(args) -> int:
    from workbench.analysis.brief import brief_places
    from workbench.newcity import folded

    found = brief_places()
    found = found[found["name"].map(folded).str.contains(folded(args.text), regex=False)]
    if found.empty:
        raise ConfigError(f"no Eurostat place with foreign-born data has '{args.text}' in its name; try part of the "
                          "name as Eurostat publishes it (often the local name, e.g. Wien, Torino, Lisboa)")
    console = _console()
    for row in found.itertuples():
        used = f"  (network city {row.city_id})" if row.city_id else ""
        console.print(f"{row.place_id:<8} {row.name:<40} {row.level:<13} {row.country_iso3}{used}", markup=False)
    return 0


def _lab(args) -> int:
    from workbench.batch.lab import start_lab

    extra = args.extra[1:] if args.extra[:1] == ["--"] else args.extra
    return start_lab(args.city, port=args.port, open_browser=not args.no_browser, extra=extra)


def _annex(args) -> int:
    from workbench import paths
    from workbench.report.annex import render_run
    from workbench.batch.cache import record_rerender
    from workbench.batch.lock import hold

    # one writer at a time in outputs/: a run could otherwise rename or publish the folder meanwhile
    with hold(paths.outputs_dir(), "workbench annex"):
        run_dir = args.run or (paths.outputs_dir() / "latest")
        results = _succeeded(run_dir)
        console = _console()
        try:
            # a later run must not copy annexes rendered with other options (e.g. no suppression)
            record_rerender(run_dir, _annex_kwargs(args))
            written = render_run(run_dir, results, **_annex_kwargs(args),
                                 progress=lambda path: console.print(str(path), markup=False))
        except KeyboardInterrupt:
            # every annex file is renamed into place when complete: only temporary files can be cut short
            for leftover in (run_dir / "annex").rglob("*.tmp"):
                leftover.unlink(missing_ok=True)
            raise
    console.print(f"{len(written)} annex files in {run_dir / 'annex'}")
    return 0


def _succeeded(run_dir: Path) -> list:
    # the notebooks of a run that succeeded, from its manifest
    import json

    from workbench.errors import DataError
    from workbench.batch.run import TaskResult

    manifest = run_dir / "manifest.json"
    if not manifest.is_file():
        raise DataError(f"{manifest}: no manifest; is {run_dir} a run folder made by `workbench run`?")
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        results = [TaskResult(n["name"], n["status"], n["seconds"], str(run_dir / n["notebook"]))
                   for n in data["notebooks"] if n["status"] == "ok"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{manifest}: not a workbench run manifest ({exc})") from None
    if not results:
        raise DataError(f"{manifest}: no notebook of this run succeeded; nothing to render")
    return results


def _cities(args) -> int:
    from workbench.reference.registry import load_cities

    console = _console()
    for city in load_cities().values():
        console.print(f"{city.city_id:<8} {city.names.en:<8} {city.country_iso3}  {city.shore:<5}  {city.city_geography}", markup=False)
        for source_id, area in city.geographies.items():
            console.print(f"    {source_id:<42} {area}", markup=False)
    return 0


def _sources(args) -> int:
    from workbench.report.sourcedoc import sources_markdown

    sys.stdout.write(sources_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
