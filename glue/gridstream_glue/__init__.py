"""gridstream's Glue jobs as plain PySpark: curation (raw -> curated + gold) and raw compaction.

The transformations are the SQL of sql/curated (shipped in resources/pipeline_bundle.json, generated
from the repository and checked by tests), rendered for Spark by the same dialect shim DuckDB uses.
The Glue entry points in glue/jobs/ only parse arguments and call :func:`run_curation` /
:func:`compact_raw`.
"""

from .compaction import compact_raw
from .curation import run_curation

__all__ = ["compact_raw", "run_curation"]
