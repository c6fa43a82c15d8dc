"""The pipeline as the Glue jobs see it: the bundle is the repository's SQL, and it renders."""

import json
import os

import pytest
from conftest import REPO

from gridstream_glue.bundle import load_bundle
from gridstream_glue.errors import PipelineDefinitionError, SqlTemplateError
from gridstream_glue.pipeline import load_pipeline, render_step
from gridstream_glue.quality_rules import compile_quality_rules, rule_failure_sql
from gridstream_glue.sql_template import render_template, split_arguments

SQL_DIR = os.path.join(REPO, "sql", "curated")


def _json(name):
    with open(os.path.join(SQL_DIR, name), encoding="utf-8") as f:
        return json.load(f)


def test_the_bundle_is_the_repository_sql():
    b = load_bundle()
    assert b["pipeline"] == _json("pipeline.json")
    assert b["dialects"] == _json("dialects.json")
    assert b["qualityRules"] == _json("quality_rules.json")
    assert b["tables"] == _json("tables.json")["tables"]
    for name, text in b["sql"].items():
        with open(os.path.join(SQL_DIR, name), encoding="utf-8") as f:
            assert f.read() == text, f"{name} differs: run npx tsx stream-processors/curation/writeGenerated.ts"


@pytest.mark.parametrize("engine", ["spark", "duckdb"])
def test_every_step_renders_without_placeholders(engine):
    p = load_pipeline()
    for step in p.steps:
        sql = render_step(p, step, engine)
        assert "{{" not in sql and "--" not in sql, step.name
    checked = render_step(p, p.steps[0], engine)
    assert ("TIMESTAMPTZ" in checked) == (engine == "duckdb")


def test_macros_split_arguments_outside_parentheses_and_quotes():
    assert split_arguments("a, f(b, c), 'x,y'") == ["a", "f(b, c)", "'x,y'"]
    macros = {"m": {"spark": "g($2, $1)"}}
    assert render_template("{{m(f(a, b), c)}}", "spark", macros, {}, "x.sql") == "g(c, f(a, b))"


@pytest.mark.parametrize(
    "sql, message",
    [
        ("{{nope}}", "x.sql: unknown placeholder {{nope}}"),
        ("{{m(a)}}", "takes 2 argument(s), got 1"),
        ("{{v(a)}}", "is a value and takes no arguments"),
    ],
)
def test_template_errors_name_the_file_and_placeholder(sql, message):
    with pytest.raises(SqlTemplateError, match=message.replace("(", r"\(").replace(")", r"\)").replace("{", r"\{").replace("}", r"\}")):
        render_template(sql, "spark", {"m": {"all": "f($1, $2)"}}, {"v": "1"}, "x.sql")


def test_quality_rules_compile_to_first_and_all_failed_rules():
    first, all_ = compile_quality_rules(
        [
            {"rule": "a_required", "kind": "not_null", "columns": ["a"]},
            {"rule": "b_range", "kind": "range", "column": "b", "min": -250, "max": 5000.5},
        ]
    )
    assert first == "CASE WHEN (a IS NULL) THEN 'a_required' WHEN (b IS NOT NULL AND (b < -250 OR b > 5000.5)) THEN 'b_range' END"
    assert all_.startswith("NULLIF(concat_ws(',', CASE WHEN (a IS NULL) THEN 'a_required' END, ")
    assert rule_failure_sql({"rule": "w", "kind": "check", "expr": "x > 0", "when": "y = 1"}) == (
        "(coalesce((y = 1), false) AND (NOT coalesce((x > 0), false)))"
    )


@pytest.mark.parametrize(
    "rules, message",
    [
        ([{"rule": "r", "kind": "range", "column": "x"}], "quality rule r: range needs min or max"),
        ([{"rule": "r", "kind": "in", "column": "x; drop", "values": [1]}], 'quality rule r: column "x; drop"'),
        ([{"rule": "r", "kind": "nope"}], 'quality rule r: unknown kind "nope"'),
        ([{"rule": "r", "kind": "not_null", "columns": ["a"]}] * 2, "quality rule r is declared twice"),
    ],
)
def test_malformed_rules_are_named(rules, message):
    with pytest.raises(PipelineDefinitionError, match=message.replace("(", r"\(")):
        compile_quality_rules(rules)


def test_the_package_works_from_the_extra_py_files_zip(tmp_path):
    # Glue imports --extra-py-files from the zip without extracting it: the SQL must load as package data.
    import subprocess
    import sys
    import zipfile

    lib = tmp_path / "gridstream_glue.zip"
    root = os.path.join(REPO, "glue")
    with zipfile.ZipFile(lib, "w") as z:
        for folder, _dirs, files in os.walk(os.path.join(root, "gridstream_glue")):
            for f in files:
                if "__pycache__" not in folder:
                    path = os.path.join(folder, f)
                    z.write(path, os.path.relpath(path, root))
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import gridstream_glue; "
        "from gridstream_glue.pipeline import load_pipeline, render_step; p = load_pipeline(); "
        "assert gridstream_glue.__file__.startswith(sys.argv[1]); print(len([render_step(p, s) for s in p.steps]))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(lib)], capture_output=True, text=True, cwd=str(tmp_path), check=True)
    assert out.stdout.strip() == str(len(load_pipeline().steps))
