"""The `workbench` command's arguments: one parser, its sub-commands and their help (imports nothing heavy)."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from workbench.errors import EXIT_CODES as CODES


def exit_codes_text() -> str:
    """The exit codes of :data:`workbench.errors.EXIT_CODES`, as ``--help`` prints them."""
    lines = ["exit codes:"]
    for code, meaning in CODES.items():
        lines += textwrap.wrap(meaning.replace("`", ""), 96, initial_indent=f"  {code:<4}", subsequent_indent=" " * 6)
    return "\n".join(lines)


EXIT_CODES = exit_codes_text()
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
    parser.add_argument("--version", action=_Version, help="print the installed name and version, the Python and the "
                        "project folder, then exit")
    chatter = parser.add_mutually_exclusive_group()
    chatter.add_argument("-q", "--quiet", action="store_true", help="print only errors and the final summary line")
    chatter.add_argument("-v", "--verbose", action="store_true", help="also print the workbench's progress logs")
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
    run.add_argument("--city", action="append", metavar="ID", help="run only this city (repeatable); the comparisons "
                     "use the other cities of params/compare.yaml as an earlier run made them (copied, never run)")
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
                     "made is copied from that run, with its annexes; with --city, the other network cities are still copied")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="run the notebooks on a dask.distributed cluster (e.g. tcp://host:8786) instead of local "
                     "workers; its workers must see this project at the same path (see README)")
    run.add_argument("--fresh-kernels", action="store_true",
                     help="start each notebook's kernel as a new interpreter rather than forking it from a "
                     "process that imported the modules once (slower; outputs are the same)")
    run.add_argument("--no-compare", action="store_true", help="skip the cross-city comparison")
    run.add_argument("--no-annex", action="store_true", help="skip rendering the annexes")
    _annex_options(run)

    ingest = sub.add_parser("ingest", help="rebuild data/tidy and data/boundaries from a folder of official source files",
                            description="Read the official files listed in data/registry/sources/*.yaml from "
                            "RAW (same sub-folders), reshape, harmonise and validate them, and write data/tidy/; "
                            "simplify the boundary files of data/registry/boundaries/*.yaml into data/boundaries/.")
    ingest.add_argument("--raw", type=Path, required=True, help="folder holding the official files")
    ingest.add_argument("--only", action="append", metavar="SOURCE_ID",
                        help="build only this source or boundary set (repeatable, or comma-separated ids)")
    ingest.add_argument("--out", type=Path, help="write tables here instead of data/tidy (boundary files in its boundaries/)")
    ingest.add_argument("--accept-changes", action="store_true",
                        help="publish tables that fail a plausibility check (a part larger than its whole, a value "
                        "moved by more than the declared factor, a place or year gone) and record each change in "
                        "the table's .meta.yaml; without it such a table is refused and nothing is written")

    validate = sub.add_parser(
        "validate", help="check registries, tidy tables, expert figures, parameters and notebooks",
        description="Without PATH: check everything a run depends on (registries, data/tidy, expert figures, "
        "chapters, params, notebook templates) and say what is still missing. With PATH: check those files, "
        "wherever they are, each by its kind (told from its name and content, or --kind), writing nothing. "
        "Every failure names the file and, where there is one, the row (line) and column or key.",
        epilog=_VALIDATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files to check (default: the project)")
    validate.add_argument("--kind", help="check every PATH as this kind of file (params, registry, chapter, ...; "
                          "a wrong kind lists them all)")
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

    chapters = sub.add_parser(
        "chapters", help="write the chapter drafts of a city already in the network (existing files are kept)",
        description="Write a draft of each chapter in en, fr and ar for a city of the registry "
        "(data/local/chapters/ID/<language>/<chapter>.md: its title and guiding questions in a comment), as "
        "new-city does for a new city. A chapter file that exists is never overwritten: the command says which it "
        "kept. Guide: docs/write-your-chapters.md.",
        epilog="example:\n  workbench chapters --city tunis\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    chapters.add_argument("--city", required=True, metavar="ID", help="a city id of data/registry/cities.yaml")

    lab = sub.add_parser(
        "lab", help="start JupyterLab on the project, a city's profile notebook ready to run",
        description="Start JupyterLab on the project with the workbench kernel, a city's profile notebook open: "
        "outputs/lab/ID_profile.ipynb, the template notebooks/city_profile.ipynb with the values of params/ID.yaml "
        "written into its parameters cell (an edited copy is kept as a .bak file first); Run All computes the "
        "profile. A fresh workspace each start; the server log goes to outputs/lab/jupyterlab.log and the "
        "address is printed on the last line once it serves. Without --city, the "
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
    annex.add_argument("--draft", action="store_true",
                       help="for internal review: unwritten chapters show their guiding questions and the file to "
                       "write, and every page says DRAFT; written to <run>/annex-draft/ (the published annexes "
                       "in <run>/annex/ are not touched)")
    _annex_options(annex)

    check = sub.add_parser("check", help="check that a run's sentences and exhibits agree (no re-execution)",
                           description="Read what an executed run saved and report every disagreement: a number "
                           "of a synopsis sentence that is not the exhibit cell it cites, or two exhibits (of a city "
                           "or the network) that give different values for the same place, definition and reference "
                           "date. One line per disagreement, then 'N disagreements in RUN'; exit code 3 when N > 0.",
                           epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("run", nargs="?", default=None, metavar="RUN",
                       help="run folder, or a run id under outputs/ (default: outputs/latest)")
    check.add_argument("--json", action="store_true", help="print the disagreements as JSON")

    _runs_commands(sub)

    places = sub.add_parser("places", help="find the Eurostat Urban Audit code of a city by name (for new-city)",
                            description="List the Eurostat Urban Audit places with foreign-born data whose name "
                            "contains TEXT (case and accents ignored): code, name as published, level, country, "
                            "and the network city already using it.")
    places.add_argument("text", metavar="TEXT", help="part of the name, e.g. marseille")
    sub.add_parser("cities", help="list the cities of the network and their geographies")
    sub.add_parser("sources", help="print the sources registry as Markdown (docs/sources.md)")
    return parser


def _runs_commands(sub) -> None:
    # `workbench runs`, `clean` and `publish`: the run folders of outputs/ as objects
    runs = sub.add_parser(
        "runs", help="list the runs in outputs/: status, date, cities, annexes, size, reuse",
        description="List every run folder of outputs/, newest first: its id, status (ok, failed, interrupted, "
        "partial: a .partial folder, 'running' while a run writes it), start date, cities, notebooks, annex formats "
        "and languages, size on disk, git commit (-dirty when committed files had changed) and the earlier runs it "
        "reuses notebooks from; * marks the run outputs/latest points at, > the one outputs/last-attempt points at. "
        "Changes nothing.", epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    runs.add_argument("--json", action="store_true", help="print the runs as JSON (for scripts): project, outputs, "
                      "latest, last_attempt and one object per run")

    clean = sub.add_parser(
        "clean", help="delete old runs from outputs/ (dry run unless --yes)",
        description="Delete the run folders of outputs/ but the N newest. Never deleted, whatever their age: the "
        "runs outputs/latest and outputs/last-attempt point at, a .partial run still being written, and every run "
        "a kept run reuses notebooks from (its id is in the footers of the annexes copied from it). Without --yes, "
        "only lists what it would delete and the space freed. With --yes it takes outputs/.lock like a run (refused "
        "while a run goes on).", epilog="example:\n  workbench clean --keep 5        # see what would go\n"
        "  workbench clean --keep 5 --yes  # delete it\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    clean.add_argument("--keep", type=int, required=True, metavar="N", help="how many of the newest runs to keep "
                       "(0 or more; runs something still needs are kept in addition)")
    clean.add_argument("--yes", action="store_true", help="delete (default: a dry run that deletes nothing)")

    publish = sub.add_parser(
        "publish", help="copy what readers need of a run (landing page, annexes, their tables) to a folder",
        description="Copy, from a run in which every notebook succeeded, only what readers need into DEST: the "
        "landing page index.html, the annexes annex/<lang>/<name>.html|docx|pdf, their suppressed tables "
        "(<name>-tables.xlsx and <name>-tables/*.csv) and manifest.json as a record for readers (run id, dates, "
        "commit, package versions, checksums of the input and annex files, each notebook's status; not the "
        "notebooks' parameters or working details). Never the executed notebooks or the unsuppressed working "
        "tables of cities/ and compare/. The copy is checked: every link of its pages must resolve inside DEST.",
        epilog="example:\n  workbench publish 20261203T163831Z /srv/www/migration-profiles/20261203T163831Z\n\n"
        + EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    publish.add_argument("run", metavar="RUN", help="a run id under outputs/ (`workbench runs`), a run folder, or latest")
    publish.add_argument("dest", type=Path, metavar="DEST", help="a new or empty folder outside outputs/")


class _Version(argparse.Action):
    # like argparse's "version" action, but the text is found only when asked for
    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())  # on stdout, as argparse's own "version" action
        parser.exit()


def version_text() -> str:
    """What ``workbench --version`` prints: distribution, version and Python, then the project folder."""
    import platform

    from workbench import paths
    from workbench.errors import WorkbenchError
    from workbench.provenance import DISTRIBUTION, distribution_version

    try:
        root = str(paths.project_root())
    except WorkbenchError as exc:
        root = f"none found ({exc})"
    return f"{DISTRIBUTION} {distribution_version()} (Python {platform.python_version()})\nproject: {root}"


def _annex_options(parser: argparse.ArgumentParser) -> None:
    from workbench.report.disclosure import DEFAULT_THRESHOLD
    from workbench.reference.i18n import LANGUAGES

    # checked against the renderer's formats when used (importing the renderer would make --help slow)
    parser.add_argument("--format", dest="formats", metavar="FMT", type=_choices(None),
                        help="comma-separated formats to write: html, docx, pdf (default: all)")
    parser.add_argument("--lang", dest="languages", metavar="LANG", type=_choices(LANGUAGES),
                        help=f"comma-separated annex languages (default: all of {','.join(LANGUAGES)})")
    parser.add_argument("--suppress-below", type=_threshold, default=DEFAULT_THRESHOLD, metavar="N",
                        help=f"suppress counts of 1 to N-1 persons and the shares computed from them "
                        f"(default {DEFAULT_THRESHOLD}; 0 turns disclosure control off)")


def _choices(allowed: tuple[str, ...] | None):
    def parse(text: str) -> tuple[str, ...]:
        chosen = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
        wrong = [c for c in chosen if allowed is not None and c not in allowed]
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


def annex_kwargs(args) -> dict:
    """The annex options given on the command line (formats checked against the renderer's)."""
    from workbench.reference.i18n import LANGUAGES

    chosen = {"languages": args.languages or LANGUAGES, "threshold": args.suppress_below}
    if args.formats:
        from workbench.errors import ConfigError
        from workbench.report.annex import FORMATS

        wrong = [f for f in args.formats if f not in FORMATS]
        if wrong:
            raise ConfigError(f"argument --format: {', '.join(wrong)} not allowed; choose from {', '.join(FORMATS)}")
        chosen["formats"] = args.formats
    return chosen
