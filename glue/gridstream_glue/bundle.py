"""The pipeline as the jobs run it: sql/curated/pipeline.rendered.json, every statement already rendered.

The file is generated from sql/curated and schemas/avro by the TypeScript side
(stream-processors/curation/writeGenerated.ts; a test fails while it is stale), so there is one template
engine and one quality-rule compiler and Spark runs exactly the text rendered for it. Nothing is
substituted here: the jobs pass each step's Spark SQL to ``spark.sql`` as it is.

Where it is read from:

- deployed: package data ``gridstream_glue/resources/pipeline_bundle.json``. The CDK app puts the
  file there when it stages the package for the jobs' ``--extra-py-files`` (infra/lib/lake/glueJobs.ts),
  and it is read with pkgutil, which works from that zip;
- in a checkout (local runner, pytest): the repository's ``sql/curated/pipeline.rendered.json``.
"""

import json
import os
import pkgutil
from functools import lru_cache
from typing import Any

BUNDLE_RESOURCE = "resources/pipeline_bundle.json"
CHECKOUT_FILE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "sql", "curated", "pipeline.rendered.json"
)
BUNDLE_FORMAT = 1


def _read() -> bytes:
    try:
        data = pkgutil.get_data("gridstream_glue", BUNDLE_RESOURCE)
    except OSError:  # not packaged: running from a checkout
        data = None
    if data is not None:
        return data
    try:
        with open(CHECKOUT_FILE, "rb") as f:
            return f.read()
    except OSError:  # also NotADirectoryError: inside a zip, the checkout path runs through the zip file
        raise FileNotFoundError(
            f"neither gridstream_glue/{BUNDLE_RESOURCE} (deployed package) nor {os.path.normpath(CHECKOUT_FILE)} "
            "(checkout) exists"
        ) from None


@lru_cache(maxsize=1)
def load_bundle() -> dict[str, Any]:
    """The rendered pipeline: format, steps (with ``sql.spark`` as lines), tables and contracts."""
    bundle: dict[str, Any] = json.loads(_read().decode("utf-8"))
    if bundle.get("format") != BUNDLE_FORMAT:
        raise ValueError(f"pipeline bundle has format {bundle.get('format')!r}, this package reads {BUNDLE_FORMAT}")
    return bundle


def contract_columns(dataset: str, bundle: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """The Hive columns ({name, type}) of a dataset's contract, in schema order."""
    b = bundle or load_bundle()
    columns: list[dict[str, str]] = b["contracts"][dataset]["columns"]
    return columns
