"""The pipeline as shipped to Glue: resources/pipeline_bundle.json (generated from sql/curated)."""

import json
import os
from functools import lru_cache

BUNDLE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resources", "pipeline_bundle.json")


@lru_cache(maxsize=4)
def load_bundle(path: str = BUNDLE_PATH) -> dict:
    """Reads the bundle: pipeline, dialects, qualityRules, tables, sql (by file) and contracts."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def contract_columns(dataset: str, bundle: dict | None = None) -> list[dict]:
    """The Hive columns ({name, type}) of a dataset's contract, in schema order."""
    b = bundle or load_bundle()
    return b["contracts"][dataset]["columns"]
