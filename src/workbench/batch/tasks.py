"""What a run executes: one notebook task (its kind, subject, template and folder), and how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from workbench.provenance import NotebookRecord
from workbench.reference.framework import PEER_LEARNING_THEMES

CITY_TEMPLATE = "city_profile.ipynb"
BRIEF_TEMPLATE = "city_brief.ipynb"
COMPARE_TEMPLATE = "compare_cities.ipynb"
#: The word of ``--cities`` that selects a brief of every Eurostat city with foreign-born data.
EUROSTAT = "eurostat"
#: Characters of an error message kept in the summary and the manifest.
MAX_ERROR = 1000


class TaskKind(str, Enum):
    """What a notebook is: a city profile, a city brief or a cross-city comparison."""

    PROFILE = "profile"
    BRIEF = "brief"
    COMPARISON = "comparison"


#: The prefix of a task's name in the manifest and summary, by kind (names only; nothing reads a kind back from them).
_NAME_PREFIX = {TaskKind.PROFILE: "", TaskKind.BRIEF: "brief-", TaskKind.COMPARISON: "compare-"}


@dataclass(frozen=True)
class Task:
    """One notebook execution."""

    kind: TaskKind
    subject: str  #: the city id (profile, checked against the registry when planned), place code (brief) or comparison name
    template: str  #: notebook file name in notebooks/
    parameters: dict
    output: str  #: executed notebook path
    workdir: str  #: kernel working directory (relative paths in parameters start here)

    @property
    def name(self) -> str:
        """The task's unique name in a run: the city id, ``brief-<place>`` or ``compare-<name>``."""
        return _NAME_PREFIX[self.kind] + self.subject

    @property
    def city_id(self) -> str | None:
        """The city of a profile, else ``None``."""
        return self.subject if self.kind is TaskKind.PROFILE else None


@dataclass
class TaskResult:
    """How one notebook execution ended."""

    name: str
    kind: TaskKind
    subject: str
    status: str  #: 'ok', 'failed', 'interrupted' (stopped by Ctrl-C or SIGTERM) or 'not run'
    seconds: float
    notebook: str
    error: str = ""
    failed_cell: int | None = None  #: execution count of the failing cell ("In [n]" in the executed notebook)
    reused_from: str = ""  #: the earlier run that computed the outputs copied instead of running the notebook
    key: str = ""  #: the notebook's input key (:mod:`workbench.batch.cache`)

    @classmethod
    def of(cls, task: Task, status: str, seconds: float = 0.0, error: str = "", failed_cell: int | None = None,
           reused_from: str = "") -> TaskResult:
        """The result of ``task``; the error is cut to :data:`MAX_ERROR` characters."""
        return cls(task.name, task.kind, task.subject, status, seconds, task.output, error[:MAX_ERROR], failed_cell,
                   reused_from)

    @property
    def city_id(self) -> str | None:
        """The city of a profile, else ``None``."""
        return self.subject if self.kind is TaskKind.PROFILE else None

    def record(self, run_dir: Path, task: Task | None) -> NotebookRecord:
        """This result as the manifest lists it (the notebook relative to ``run_dir``)."""
        notebook = Path(self.notebook)
        relative = str(notebook.relative_to(run_dir)) if notebook.is_absolute() else str(notebook)
        return NotebookRecord(self.name, self.kind.value, self.subject, self.status, self.seconds, relative, self.error,
                              self.failed_cell, self.reused_from, self.key, task.template if task else "",
                              task.parameters if task else {})


@dataclass
class RunSummary:
    """What a batch run did."""

    run_dir: Path
    results: list[TaskResult] = field(default_factory=list)
    status: str = "running"  #: 'running', then 'ok', 'failed' or 'interrupted'
    resumed_from: str = ""  #: run folder a ``--resume`` run took its succeeded notebooks from
    notes: list[str] = field(default_factory=list)  #: one line each: what the run left out, and why
    annex_error: str = ""  #: why rendering the annexes failed (every notebook may have succeeded)

    @property
    def comparisons(self) -> tuple[list[str], list[str]]:
        """The comparisons that succeeded: those copied from an earlier run, and those run again."""
        done = [r for r in self.results if r.kind is TaskKind.COMPARISON and r.status == "ok"]
        return [r.name for r in done if r.reused_from], [r.name for r in done if not r.reused_from]

    @property
    def failed(self) -> list[TaskResult]:
        """Results that did not succeed."""
        return [r for r in self.results if r.status != "ok"]

    @property
    def ok(self) -> bool:
        """True when every notebook succeeded and nothing else failed or stopped the run."""
        return not self.failed and self.status not in ("failed", "interrupted")


def comparisons() -> list[tuple[str, str, dict]]:
    """The cross-city notebooks run after the cities: (name, template, extra parameters).

    The overview, origins and availability notebooks, then one thematic notebook per
    peer-learning theme (the same template run with a different ``theme``).
    """
    fixed = [
        ("overview", COMPARE_TEMPLATE, {}),
        ("origins", "compare_origins.ipynb", {}),
        ("availability", "compare_availability.ipynb", {}),
    ]
    return fixed + [(f"theme-{t.replace('_', '-')}", "compare_theme.ipynb", {"theme": t}) for t in PEER_LEARNING_THEMES]
