"""The pipeline as the Glue jobs see it: the repository's rendered SQL, nothing left to render."""

import json
import os

import pytest

from conftest import REPO
from gridstream_glue.bundle import load_bundle
from gridstream_glue.pipeline import load_pipeline

SQL_DIR = os.path.join(REPO, "sql", "curated")


def _json(name):
    with open(os.path.join(SQL_DIR, name), encoding="utf-8") as f:
        return json.load(f)


def test_the_bundle_is_the_repository_sql():
    b = load_bundle()
    assert b == _json("pipeline.rendered.json")
    spec = _json("pipeline.json")["steps"]
    assert [s["name"] for s in b["steps"]] == [s["name"] for s in spec]
    for rendered, step in zip(b["steps"], spec, strict=True):
        assert {k: v for k, v in rendered.items() if k != "sql"} == {k: v for k, v in step.items() if k != "sql"}
    assert b["tables"] == _json("tables.json")["tables"]


@pytest.mark.parametrize("engine", ["spark", "duckdb"])
def test_every_step_is_rendered_without_placeholders(engine):
    for step in load_bundle()["steps"]:
        sql = "\n".join(step["sql"][engine])
        assert "{{" not in sql, step["name"]
        assert "--" not in sql, step["name"]
    checked = "\n".join(load_bundle()["steps"][0]["sql"][engine])
    assert ("TIMESTAMPTZ" in checked) == (engine == "duckdb")


def test_each_step_runs_its_spark_text_as_it_is():
    p = load_pipeline()
    assert [s.sql for s in p.steps] == ["\n".join(s["sql"]["spark"]) for s in load_bundle()["steps"]]


def _zip_library(tmp_path, with_bundle: bool):
    """The library as infra/lib/lake/glueJobs.ts stages it: the package plus the rendered pipeline."""
    import zipfile

    lib = tmp_path / "gridstream_glue.zip"
    root = os.path.join(REPO, "glue")
    with zipfile.ZipFile(lib, "w") as z:
        for folder, _dirs, files in os.walk(os.path.join(root, "gridstream_glue")):
            for f in files:
                if "__pycache__" not in folder:
                    path = os.path.join(folder, f)
                    z.write(path, os.path.relpath(path, root))
        if with_bundle:
            z.write(os.path.join(SQL_DIR, "pipeline.rendered.json"), "gridstream_glue/resources/pipeline_bundle.json")
    return lib


def _load_from_zip(lib, cwd):
    import subprocess
    import sys

    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import gridstream_glue; "
        "from gridstream_glue.pipeline import load_pipeline; p = load_pipeline(); "
        "assert gridstream_glue.__file__.startswith(sys.argv[1]); print(len(p.steps))"
    )
    # check=False: one caller expects the failure and reads its message.
    return subprocess.run(
        [sys.executable, "-c", code, str(lib)], capture_output=True, text=True, cwd=str(cwd), check=False
    )


def test_the_package_works_from_the_extra_py_files_zip(tmp_path):
    # Glue imports --extra-py-files from the zip without extracting it: the SQL must load as package data.
    out = _load_from_zip(_zip_library(tmp_path, with_bundle=True), tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(len(load_pipeline().steps))


def test_a_zip_without_the_pipeline_names_where_it_looked(tmp_path):
    out = _load_from_zip(_zip_library(tmp_path, with_bundle=False), tmp_path)
    assert out.returncode != 0
    assert "gridstream_glue/resources/pipeline_bundle.json" in out.stderr
