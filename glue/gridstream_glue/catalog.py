"""Glue Data Catalog side of the atomic publish on S3.

After a table's manifest switch, each replaced dt partition of the catalog table ``<zone>_<table>`` is
repointed to its new version folder (``BatchUpdatePartition``; ``BatchCreatePartition`` for new dts,
``BatchDeletePartition`` for emptied ones). Each partition's switch is atomic for Athena and Redshift
Spectrum: a query sees the old or the new folder of a partition, never both; the superseded folders
stay readable for the retention period, so queries planned before the switch still finish.
"""

from typing import Any

from .lake_fs import LakeFs
from .pipeline import Step


class GlueCatalog:
    """Repoints Glue partitions of the published tables."""

    def __init__(self, client: Any, database: str) -> None:
        self.client = client
        self.database = database

    def _partition_input(self, table: dict, dt: str, location: str) -> dict:
        sd = dict(table["StorageDescriptor"])
        sd["Location"] = location
        return {"Values": [dt], "StorageDescriptor": sd}

    def publish(self, step: Step, fs: LakeFs, table_key: str, written: dict[str, dict[str, Any] | None]) -> None:
        """Applies ``written`` ({dt: manifest entry or None}) to the catalog table of ``step``."""
        name = step.name
        table = self.client.get_table(DatabaseName=self.database, Name=name)["Table"]
        dts = sorted(written)
        existing: set[str] = set()
        for i in range(0, len(dts), 1000):
            got = self.client.batch_get_partition(
                DatabaseName=self.database,
                TableName=name,
                PartitionsToGet=[{"Values": [dt]} for dt in dts[i : i + 1000]],
            )
            existing.update(p["Values"][0] for p in got.get("Partitions", []))
        create, update, delete = [], [], []
        for dt in dts:
            entry = written[dt]
            if entry is None:
                if dt in existing:
                    delete.append({"Values": [dt]})
                continue
            part = self._partition_input(table, dt, fs.uri(f"{table_key}/{entry['location']}/"))
            if dt in existing:
                update.append({"PartitionValueList": [dt], "PartitionInput": part})
            else:
                create.append(part)
        for i in range(0, len(create), 100):
            self._check(
                self.client.batch_create_partition(
                    DatabaseName=self.database, TableName=name, PartitionInputList=create[i : i + 100]
                )
            )
        for i in range(0, len(update), 100):
            self._check(
                self.client.batch_update_partition(
                    DatabaseName=self.database, TableName=name, Entries=update[i : i + 100]
                )
            )
        for i in range(0, len(delete), 25):
            self._check(
                self.client.batch_delete_partition(
                    DatabaseName=self.database, TableName=name, PartitionsToDelete=delete[i : i + 25]
                )
            )

    @staticmethod
    def _check(response: dict) -> None:
        errors = response.get("Errors") or []
        if errors:
            raise RuntimeError(f"Glue catalog update failed: {errors[:3]}")
