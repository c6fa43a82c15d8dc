"""Table manifests: the atomic publish protocol shared with tableManifest.ts.

``<zone>/<table>/_manifest.json`` lists, per dt partition, the version folder and files readers must
read. A run writes new partitions into ``versions/<runId>/dt=<dt>/`` and then replaces the manifest in
one atomic step (local: rename; S3: a single PUT), so a reader sees the old or the new table, never a
mix. Superseded folders are deleted after a retention period (readers that resolved the old manifest
keep working).
"""

import json
import time
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from .lake_fs import LakeFs

MANIFEST_FILE = "_manifest.json"
VERSIONS_DIR = "versions"
MANIFEST_FORMAT = 1


def iso(ts: float) -> str:
    """ISO-8601 UTC with milliseconds, as JavaScript's toISOString."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


def parse_iso(s: str) -> float:
    return datetime.strptime(s.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def read_manifest(fs: LakeFs, table_key: str) -> dict[str, Any] | None:
    """The manifest of ``<zone>/<table>``, or None when never published."""
    text = fs.read_text(f"{table_key}/{MANIFEST_FILE}")
    return None if text is None else json.loads(text)


def write_manifest(fs: LakeFs, table_key: str, manifest: dict[str, Any]) -> None:
    """Publishes a manifest atomically (partitions sorted by dt)."""
    m = dict(manifest)
    m["partitions"] = dict(sorted(manifest["partitions"].items()))
    fs.write_text_atomic(f"{table_key}/{MANIFEST_FILE}", json.dumps(m, indent=2, ensure_ascii=False) + "\n")


def manifest_files(
    fs: LakeFs, table_key: str, manifest: dict[str, Any] | None, dts: Collection[str] | None = None
) -> dict[str, list[str]]:
    """{dt: [uri, ...]} of a manifest's data files (optionally only ``dts``)."""
    out: dict[str, list[str]] = {}
    for dt, p in sorted((manifest or {}).get("partitions", {}).items()):
        if dts is not None and dt not in dts:
            continue
        out[dt] = [fs.uri(f"{table_key}/{p['location']}/{f['name']}") for f in p["files"]]
    return out


def collect_garbage(
    fs: LakeFs, table_key: str, manifest: dict[str, Any], now: float, retention_seconds: float
) -> tuple[dict[str, Any], int]:
    """Deletes superseded folders older than the retention and unreferenced run folders older than it.

    Returns (manifest without the deleted superseded entries, number removed).
    """
    removed = 0
    keep = []
    for s in manifest.get("superseded", []):
        if now - parse_iso(s["since"]) >= retention_seconds:
            fs.delete_prefix(f"{table_key}/{s['location']}")
            removed += 1
        else:
            keep.append(s)
    referenced = {p["location"] for p in manifest["partitions"].values()} | {s["location"] for s in keep}
    newest: dict = {}
    for key, _size, mtime in fs.list_files(f"{table_key}/{VERSIONS_DIR}/"):
        parts = key[len(table_key) + 1 :].split("/")
        if len(parts) >= 3:
            loc = "/".join(parts[:3])
            newest[loc] = max(newest.get(loc, 0.0), mtime)
    for loc, mtime in newest.items():
        if loc not in referenced and now - mtime >= retention_seconds and loc.split("/")[2].startswith("dt="):
            fs.delete_prefix(f"{table_key}/{loc}")
            removed += 1
    return {**manifest, "superseded": keep}, removed


def now_seconds() -> float:
    return time.time()
