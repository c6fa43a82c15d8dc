"""Incremental state per dataset (same file and semantics as curationState.ts).

The file's format is schemas/json/curation-state.schema.json; test/fixtures/formats/curation-state/ holds
golden files both this module and curationState.ts must read and write byte for byte.
"""

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol

from .lake_fs import LakeFs
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


def read_state(fs: LakeFs, dataset: str) -> dict[str, Any]:
    text = fs.read_text(f"{STATE_PREFIX}{dataset}.json")
    if text is None:
        return {
            "format": STATE_FORMAT,
            "dataset": dataset,
            "watermark": None,
            "partitions": {},
            "updatedAt": NEVER_UPDATED,
        }
    state: dict[str, Any] = json.loads(text)
    return state


def write_state(fs: LakeFs, state: dict[str, Any]) -> None:
    fs.write_text_atomic(
        f"{STATE_PREFIX}{state['dataset']}.json", json.dumps(state, indent=2, ensure_ascii=False) + "\n"
    )


class ListedPartition(Protocol):
    """What change detection needs of a raw partition (a raw_files.RawPartition)."""

    @property
    def dt(self) -> str: ...
    @property
    def hour(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


def detect_changes(
    state: dict[str, Any],
    partitions: Iterable[ListedPartition],
    from_hour: str | None,
    since: str | None,
    full: bool,
    lateness_hours: int,
    now_iso: str,
) -> tuple[set[str], dict[str, Any]]:
    """(dts to curate, next state): same rules as detectChanges in curationState.ts."""
    partitions = list(partitions)
    dts: set[str] = set()
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

    def __init__(self, fs: LakeFs, purpose: str) -> None:
        self.fs = fs
        self.purpose = purpose
        self.path = fs.uri(LOCK_KEY) if fs.kind == "local" else None

    def __enter__(self) -> "LocalLock":
        if self.path is None:
            return self
        from .errors import CurationLockedError

        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        body = json.dumps(
            {"pid": os.getpid(), "host": socket.gethostname(), "purpose": self.purpose, "since": iso(time.time())}
        )
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

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True
    except OSError:
        return False
