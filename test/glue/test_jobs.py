"""The Glue entry points: thin argument parsing, then the plain-PySpark modules."""

import re
from pathlib import Path

import compact
import curate
from conftest import REPO, grid_event, read_table, write_raw

# What the CDK app passes to every job (infra/lib/stacks/ProcessingStack.ts): the required arguments
# of getResolvedOptions(sys.argv, [...]) must be among them.
CDK_ARGUMENTS = {"env", "raw_bucket", "curated_bucket", "database", "lateness_days"}


def _required(script: str) -> set:
    text = Path(REPO, "glue", "jobs", script).read_text()
    names = set()
    for call in re.findall(r"getResolvedOptions\s*\(\s*sys\.argv\s*,\s*\[([^\]]*)\]", text):
        names.update(re.findall(r"['\"]([A-Za-z0-9_-]+)['\"]", call))
    names.discard("JOB_NAME")
    return names


def test_required_glue_arguments_are_what_the_stack_passes():
    assert _required("curate.py") == {"raw_bucket", "curated_bucket", "database", "lateness_days"}
    assert _required("compact.py") == {"raw_bucket", "lateness_days"}
    assert _required("curate.py") <= CDK_ARGUMENTS
    assert _required("compact.py") <= CDK_ARGUMENTS


def test_without_awsglue_the_arguments_come_from_argparse():
    args = curate.parse_args(
        ["curate.py", "--lake", "/x", "--dataset", "grid", "--since", "2026-11-01", "--full", "true"]
    )
    assert (args["glue"], args["lake"], args["dataset"], args["since"], args["full"]) == (
        False,
        "/x",
        "grid",
        "2026-11-01",
        "true",
    )
    assert compact.parse_args(["compact.py", "--lake", "/x"])["lateness_days"] == "2"


def test_curate_job_runs_end_to_end(tmp_path, spark, capsys):
    lake = str(tmp_path)
    write_raw(lake, "grid", [grid_event(), grid_event(lmp_usd_mwh=7000.0)])
    summary = curate.main(["curate.py", "--lake", lake, "--dataset", "grid", "--target_file_size_bytes", "1048576"])
    assert summary["tables"]["curated_grid"]["rows"] == 1
    assert summary["tables"]["curated_grid_quarantine"]["rows"] == 1
    assert len(read_table(lake, "gold", "daily_market_summary")) == 1
    assert "curation " in capsys.readouterr().err
