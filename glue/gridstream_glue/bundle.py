"""The pipeline as shipped to Glue: resources/pipeline_bundle.json (generated from sql/curated)."""

import json
import pkgutil
from functools import lru_cache

BUNDLE_RESOURCE = "resources/pipeline_bundle.json"


@lru_cache(maxsize=1)
def load_bundle() -> dict:
    """Reads the bundle: pipeline, dialects, qualityRules, tables, sql (by file) and contracts.

    Read as package data, so it works when Glue imports the package from the --extra-py-files zip.
    """
    data = pkgutil.get_data("gridstream_glue", BUNDLE_RESOURCE)
    if data is None:
        raise FileNotFoundError(f"gridstream_glue/{BUNDLE_RESOURCE} is missing from the package")
    return json.loads(data.decode("utf-8"))


def contract_columns(dataset: str, bundle: dict | None = None) -> list[dict]:
    """The Hive columns ({name, type}) of a dataset's contract, in schema order."""
    b = bundle or load_bundle()
    return b["contracts"][dataset]["columns"]
