"""The curation pipeline (pipeline.json) and its rendering for Spark (mirror of pipeline.ts)."""

from dataclasses import dataclass, field

from .bundle import contract_columns, load_bundle
from .errors import PipelineDefinitionError
from .quality_rules import compile_quality_rules
from .sql_template import render_template

DATASETS = ("grid", "weather", "transactions")


@dataclass(frozen=True)
class Step:
    """One step of pipeline.json."""

    name: str
    sql: str
    mode: str
    inputs: tuple
    table: dict | None = None
    dataset: str | None = None
    sort_by: tuple = field(default_factory=tuple)

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
    """pipeline.json with its SQL, rules, shim and table schemas, from the bundle."""

    params: dict
    steps: tuple
    sql: dict
    quality_rules: dict
    macros: dict
    tables: dict
    bundle: dict


def load_pipeline(bundle: dict | None = None) -> Pipeline:
    """Loads the pipeline from the bundle."""
    b = bundle or load_bundle()
    spec = b["pipeline"]
    steps = []
    names = set()
    for s in spec["steps"]:
        if s["name"] in names:
            raise PipelineDefinitionError(f"step {s['name']} is declared twice")
        for i in s["inputs"]:
            if not raw_input_dataset(i) and i not in names:
                raise PipelineDefinitionError(f"step {s['name']}: input {i} is not raw_<dataset> or an earlier step")
        names.add(s["name"])
        steps.append(
            Step(
                name=s["name"],
                sql=s["sql"],
                mode=s["mode"],
                inputs=tuple(s["inputs"]),
                table=s.get("table"),
                dataset=s.get("dataset"),
                sort_by=tuple(s.get("sortBy") or ()),
            )
        )
    return Pipeline(
        params=spec.get("params") or {},
        steps=tuple(steps),
        sql=b["sql"],
        quality_rules=b["qualityRules"],
        macros=b["dialects"]["macros"],
        tables=b["tables"],
        bundle=b,
    )


def ingest_order_sql(dataset: str, bundle: dict | None = None) -> str:
    """Latest-ingest order of duplicates (same text as ingestOrderSql in pipeline.ts)."""
    rest = [c["name"] for c in contract_columns(dataset, bundle) if c["name"] not in ("event_id", "produced_at")]
    return ", ".join(
        ["produced_at DESC NULLS LAST", "ingest_file DESC NULLS LAST"] + [f"{n} DESC NULLS LAST" for n in rest]
    )


def _format_param(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def render_step(pipeline: Pipeline, step: Step, engine: str = "spark") -> str:
    """A step's SELECT rendered for ``engine``."""
    values = {k: _format_param(v) for k, v in pipeline.params.items()}
    if step.dataset:
        first, all_ = compile_quality_rules(pipeline.quality_rules.get(step.dataset, []))
        values["dq_rule"] = first
        values["dq_rules"] = all_
        values["ingest_order"] = ingest_order_sql(step.dataset, pipeline.bundle)
    return render_template(pipeline.sql[step.sql], engine, pipeline.macros, values, step.sql)
