"""The formats Python shares with TypeScript, checked against the JSON Schemas (schemas/json) with the
reference ``jsonschema`` package and against the golden files of test/fixtures/formats, which
test/curation/formats.test.ts checks on the TypeScript side."""

import json
import os
from types import SimpleNamespace
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conftest import REPO
from gridstream_glue.lake_fs import LocalFs
from gridstream_glue.manifest import MANIFEST_FILE, read_manifest, write_manifest
from gridstream_glue.raw_files import list_raw_partitions
from gridstream_glue.state import detect_changes, read_state, write_state

FORMATS = os.path.join(REPO, "test", "fixtures", "formats")
SCHEMAS = os.path.join(REPO, "schemas", "json")


def fixture(rel: str) -> Any:
    with open(os.path.join(FORMATS, rel), encoding="utf-8") as f:
        return json.load(f)


def fixture_text(rel: str) -> str:
    with open(os.path.join(FORMATS, rel), encoding="utf-8") as f:
        return f.read()


def validator(schema_file: str) -> Draft202012Validator:
    with open(os.path.join(SCHEMAS, schema_file), encoding="utf-8") as f:
        return Draft202012Validator(json.load(f))


def issues(schema_file: str, value: Any) -> list[str]:
    """JSON Pointers of the failing values (the paths the TypeScript validator reports)."""
    return ["".join(f"/{p}" for p in e.absolute_path) for e in validator(schema_file).iter_errors(value)]


def golden(folder: str) -> list[str]:
    return sorted(f"{folder}/{f}" for f in os.listdir(os.path.join(FORMATS, folder)) if f.endswith(".json"))


@pytest.mark.parametrize("name", sorted(os.listdir(SCHEMAS)))
def test_every_schema_is_a_valid_draft_2020_12_schema(name):
    with open(os.path.join(SCHEMAS, name), encoding="utf-8") as f:
        Draft202012Validator.check_schema(json.load(f))


@pytest.mark.parametrize("rel", golden("curation-state"))
def test_state_golden_files_are_valid_and_written_byte_for_byte(rel, tmp_path):
    state = fixture(rel)
    assert issues("curation-state.schema.json", state) == []
    fs = LocalFs(str(tmp_path))
    write_state(fs, state)
    with open(tmp_path / "curated" / "_state" / f"{state['dataset']}.json", encoding="utf-8") as f:
        assert f.read() == fixture_text(rel)
    assert read_state(fs, state["dataset"]) == state


def test_a_dataset_never_curated_reads_as_the_golden_file(tmp_path):
    state = read_state(LocalFs(str(tmp_path)), "grid")
    assert state == fixture("curation-state/never-curated.json")
    assert issues("curation-state.schema.json", state) == []


CHANGES = fixture("detect-changes.json")


@pytest.mark.parametrize("case", CHANGES["cases"], ids=[c["why"] for c in CHANGES["cases"]])
def test_detect_changes(case):
    partitions = [
        SimpleNamespace(dt=p["dt"], hr=p["hr"], hour=f"{p['dt']}T{p['hr']}", fingerprint=p["fingerprint"])
        for p in case["partitions"]
    ]
    o = case["options"]
    dts, nxt = detect_changes(
        case["state"], partitions, o["fromHour"], o["since"], o["full"], o["latenessHours"], o["now"]
    )
    assert sorted(dts) == case["dts"]
    assert nxt == case["next"]
    assert issues("curation-state.schema.json", nxt) == []


def test_a_raw_partition_fingerprint_hashes_its_file_names_and_sizes(tmp_path):
    [f] = CHANGES["fingerprints"]
    folder = tmp_path / "raw" / "grid" / "dt=2026-11-22" / "hr=00"
    folder.mkdir(parents=True)
    for file in f["files"]:
        (folder / file["name"]).write_bytes(b"\0" * file["bytes"])
    [p] = list_raw_partitions(LocalFs(str(tmp_path)), "grid")
    assert p.fingerprint == f["fingerprint"]


@pytest.mark.parametrize("rel", golden("table-manifest"))
def test_manifest_golden_files_are_valid_and_written_byte_for_byte(rel, tmp_path):
    manifest = fixture(rel)
    assert issues("table-manifest.schema.json", manifest) == []
    fs = LocalFs(str(tmp_path))
    write_manifest(fs, manifest["table"], manifest)
    with open(tmp_path / manifest["table"] / MANIFEST_FILE, encoding="utf-8") as f:
        assert f.read() == fixture_text(rel)
    assert read_manifest(fs, manifest["table"]) == manifest


def _invalid_value(case: dict) -> Any:
    value = fixture(case["base"])
    pointer: str = case["set"] if "set" in case else case["delete"]
    keys = [k.replace("~1", "/").replace("~0", "~") for k in pointer.split("/")[1:]]
    node = value
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    last: Any = int(keys[-1]) if isinstance(node, list) else keys[-1]
    if "set" in case:
        node[last] = case["to"]
    else:
        del node[last]
    return value


INVALID = fixture("invalid.json")["cases"]


@pytest.mark.parametrize("case", INVALID, ids=[c["why"] for c in INVALID])
def test_invalid_values_are_rejected_at_the_same_path_as_typescript(case):
    assert issues(case["schema"], _invalid_value(case)) == [case["path"]]


def test_the_rendered_pipeline_is_valid():
    with open(os.path.join(REPO, "sql", "curated", "pipeline.rendered.json"), encoding="utf-8") as f:
        assert issues("rendered-pipeline.schema.json", json.load(f)) == []


LITERALS = fixture("sql-literals.json")["cases"]


@pytest.mark.parametrize("case", LITERALS, ids=[c["why"] for c in LITERALS])
def test_spark_reads_the_rendered_literal_back_as_the_value(case, spark):
    sql = f"CAST({case['spark']} AS DOUBLE)" if isinstance(case["value"], (int, float)) else case["spark"]
    assert spark.sql(f"SELECT {sql} AS v").collect()[0]["v"] == case["value"]
