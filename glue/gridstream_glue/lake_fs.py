"""One small interface over a local lake folder and an S3 bucket (what the Glue job runs on).

Keys are lake-relative with ``/`` (``raw/grid/dt=2026-11-22/hr=12/x.parquet``); :meth:`uri` is what
Spark and pyarrow open.
"""

import contextlib
import os
import tempfile
import uuid
from typing import Any


class LocalFs:
    """A lake in a local folder."""

    kind = "local"

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def uri(self, key: str) -> str:
        return os.path.join(self.root, key) if key else self.root

    def list_files(self, prefix: str) -> list[tuple[str, int, float]]:
        """(key, size, mtime) of every file under ``prefix``, recursively, sorted by key."""
        base = self.uri(prefix)
        out = []
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except FileNotFoundError:
                    continue
                out.append((os.path.relpath(path, self.root).replace(os.sep, "/"), st.st_size, st.st_mtime))
        return sorted(out)

    def list_dirs(self, prefix: str) -> list[str]:
        try:
            return sorted(e.name for e in os.scandir(self.uri(prefix)) if e.is_dir())
        except FileNotFoundError:
            return []

    def read_text(self, key: str) -> str | None:
        try:
            with open(self.uri(key), encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def write_text_atomic(self, key: str, text: str) -> None:
        """Temp file, fsync, rename over the target, fsync of the folder."""
        path = self.uri(key)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".manifest.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.uri(key))

    def delete_prefix(self, prefix: str) -> None:
        import shutil

        shutil.rmtree(self.uri(prefix), ignore_errors=True)

    def publish(self, src_key: str, dst_key: str) -> None:
        """Moves a staged file into place (rename: atomic on one filesystem)."""
        os.makedirs(os.path.dirname(self.uri(dst_key)), exist_ok=True)
        os.replace(self.uri(src_key), self.uri(dst_key))

    def arrow_source(self, key: str) -> tuple[str, Any]:
        """(path, filesystem) for pyarrow."""
        return self.uri(key), None


class S3Fs:
    """A lake in an S3 bucket (optionally under a prefix). Writes of one object are atomic (one PUT)."""

    kind = "s3"

    def __init__(self, root: str, client: Any = None) -> None:
        assert root.startswith("s3://"), root
        rest = root[5:].rstrip("/")
        self.bucket, _, self.prefix = rest.partition("/")
        self.root = f"s3://{rest}"
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.client = client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}" if key else self.root

    def list_files(self, prefix: str) -> list[tuple[str, int, float]]:
        out = []
        cut = len(self.prefix) + 1 if self.prefix else 0
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
            for o in page.get("Contents", []):
                out.append((o["Key"][cut:], o["Size"], o["LastModified"].timestamp()))
        return sorted(out)

    def list_dirs(self, prefix: str) -> list[str]:
        p = self._key(prefix if prefix.endswith("/") else prefix + "/")
        names = set()
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=p, Delimiter="/"):
            for cp in page.get("CommonPrefixes", []):
                names.add(cp["Prefix"][len(p) :].rstrip("/"))
        return sorted(names)

    def read_text(self, key: str) -> str | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read().decode("utf-8")
        except self.client.exceptions.NoSuchKey:
            return None

    def write_text_atomic(self, key: str, text: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=text.encode("utf-8"))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def delete_prefix(self, prefix: str) -> None:
        keys = [k for k, _s, _m in self.list_files(prefix)]
        for i in range(0, len(keys), 1000):
            self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": self._key(k)} for k in keys[i : i + 1000]]}
            )

    def publish(self, src_key: str, dst_key: str) -> None:
        """Copies a staged object into place and deletes the staged one (S3 has no rename)."""
        self.client.copy_object(
            Bucket=self.bucket, Key=self._key(dst_key), CopySource={"Bucket": self.bucket, "Key": self._key(src_key)}
        )
        self.delete(src_key)

    def arrow_source(self, key: str) -> tuple[str, Any]:
        from pyarrow import fs as pafs

        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        return f"{self.bucket}/{self._key(key)}", pafs.S3FileSystem(region=region)


# Either lake: what every function taking an ``fs`` accepts.
LakeFs = LocalFs | S3Fs


def open_fs(root: str, client: Any = None) -> LakeFs:
    """A LocalFs for a folder, an S3Fs for ``s3://bucket[/prefix]``."""
    return S3Fs(root, client) if root.startswith("s3://") else LocalFs(root)


def new_id() -> str:
    """A short random id."""
    return uuid.uuid4().hex[:6]
