"""Incremental state per dataset (same file and semantics as curationState.ts).

The file's format is schemas/json/curation-state.schema.json; test/fixtures/formats/curation-state/ holds
golden files both this module and curationState.ts must read and write byte for byte.
"""

import contextlib
import json
import os
import socket
from datetime import datetime, timedelta

from .manifest import iso

STATE_FORMAT = 1
# The updatedAt of a dataset never curated: the epoch, as curationState.ts has it.
NEVER_UPDATED = iso(0.0)
STATE_PREFIX = "curated/_state/"
LOCK_KEY = "curated/_state/curation.lock"


def shift_hour(hour: str, hours: int) -> str:
    """``YYYY-MM-DDTHH`` shifted by whole hours."""
    t = datetime.strptime(hour, "%Y-%m-%dT%H") + timedelta(hours=hours)
    return t.strftime("%Y-%m-%dT%H")


def read_state(fs, dataset: str) -> dict:
    text = fs.read_text(f"{STATE_PREFIX}{dataset}.json")
    if text is None:
        return {
            "format": STATE_FORMAT,
            "dataset": dataset,
            "watermark": None,
            "partitions": {},
            "updatedAt": NEVER_UPDATED,
        }
    return json.loads(text)


def write_state(fs, state: dict) -> None:
    fs.write_text_atomic(
        f"{STATE_PREFIX}{state['dataset']}.json", json.dumps(state, indent=2, ensure_ascii=False) + "\n"
    )


def detect_changes(state: dict, partitions, from_hour, since, full, lateness_hours, now_iso):
    """(dts to curate, next state): same rules as detectChanges in curationState.ts."""
    dts = set()
    listed = {p.hour: p for p in partitions}
    for p in partitions:
        forced = full or (since is not None and p.dt >= since)
        if forced or state["partitions"].get(p.hour) != p.fingerprint:
            dts.add(p.dt)
    for hour in state["partitions"]:
        if (from_hour is None or hour >= from_hour) and hour not in listed:
            dts.add(hour[:10])
    newest = state.get("watermark")
    for p in partitions:
        if newest is None or p.hour > newest:
            newest = p.hour
    keep_from = None if newest is None else shift_hour(newest, -lateness_hours)
    fingerprints = {p.hour: p.fingerprint for p in partitions if keep_from is None or p.hour >= keep_from}
    nxt = {
        "format": STATE_FORMAT,
        "dataset": state["dataset"],
        "watermark": newest,
        "partitions": fingerprints,
        "updatedAt": now_iso,
    }
    return dts, nxt


class LocalLock:
    """The lake lock of a local lake (shared with the DuckDB runner); a no-op on S3, where the Glue job
    runs with maxConcurrentRuns=1."""

    def __init__(self, fs, purpose: str):
        self.fs = fs
        self.purpose = purpose
        self.path = fs.uri(LOCK_KEY) if fs.kind == "local" else None

    def __enter__(self):
        if self.path is None:
            return self
        from .errors import CurationLockedError

        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        body = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "purpose": self.purpose})
        for attempt in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                with os.fdopen(fd, "w") as f:
                    f.write(body)
                return self
            except FileExistsError:
                try:
                    with open(self.path) as f:
                        holder = json.load(f)
                except (OSError, ValueError):
                    holder = {}
                pid = holder.get("pid")
                stale = holder.get("host") == socket.gethostname() and isinstance(pid, int) and not _alive(pid)
                if not stale or attempt > 0:
                    raise CurationLockedError(f"curation lock {self.path} is held by {holder}") from None
                os.unlink(self.path)
        return self

    def __exit__(self, *exc):
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True
    except OSError:
        return False
