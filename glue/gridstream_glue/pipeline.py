"""The curation pipeline as rendered for Spark (sql/curated/pipeline.rendered.json, see bundle.py)."""

from dataclasses import dataclass
from typing import Any

from .bundle import load_bundle
from .errors import PipelineDefinitionError

DATASETS = ("grid", "weather", "transactions")


@dataclass(frozen=True)
class Step:
    """One step of the pipeline with its Spark SQL, ready to run."""

    name: str
    mode: str
    inputs: tuple[str, ...]
    sql: str
    table: dict[str, str] | None = None
    dataset: str | None = None
    sort_by: tuple[str, ...] = ()

    @property
    def zone(self) -> str | None:
        return self.table["zone"] if self.table else None

    @property
    def table_name(self) -> str | None:
        return self.table["name"] if self.table else None


def raw_input_dataset(name: str) -> str | None:
    """The dataset of a ``raw_<dataset>`` input, else None."""
    if name.startswith("raw_") and name[4:] in DATASETS:
        return name[4:]
    return None


@dataclass(frozen=True)
class Pipeline:
    """The steps in run order and the schema of every published step (tables.json)."""

    steps: tuple[Step, ...]
    tables: dict[str, Any]


def load_pipeline(bundle: dict[str, Any] | None = None) -> Pipeline:
    """Loads the pipeline from the bundle; each step's ``sql`` is its Spark SELECT."""
    b = bundle or load_bundle()
    steps = []
    names: set[str] = set()
    for s in b["steps"]:
        if s["name"] in names:
            raise PipelineDefinitionError(f"step {s['name']} is declared twice")
        for i in s["inputs"]:
            if not raw_input_dataset(i) and i not in names:
                raise PipelineDefinitionError(f"step {s['name']}: input {i} is not raw_<dataset> or an earlier step")
        names.add(s["name"])
        steps.append(
            Step(
                name=s["name"],
                mode=s["mode"],
                inputs=tuple(s["inputs"]),
                sql="\n".join(s["sql"]["spark"]),
                table=s.get("table"),
                dataset=s.get("dataset"),
                sort_by=tuple(s.get("sortBy") or ()),
            )
        )
    return Pipeline(steps=tuple(steps), tables=b["tables"])
