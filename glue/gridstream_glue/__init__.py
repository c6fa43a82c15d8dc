"""gridstream's Glue jobs as plain PySpark: curation (raw -> curated + gold) and raw compaction.

The transformations are the SQL of sql/curated, rendered for Spark at build time by the TypeScript side
into sql/curated/pipeline.rendered.json (shipped as resources/pipeline_bundle.json, see bundle.py): this
package renders and compiles nothing, it runs that text.
The Glue entry points in glue/jobs/ only parse arguments and call :func:`run_curation` /
:func:`compact_raw`.
"""

from .compaction import compact_raw
from .curation import run_curation

__all__ = ["compact_raw", "run_curation"]
