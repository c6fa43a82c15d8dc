import type { AvroRecord } from './avroTypes.js';
import { AVRO_DIR, readCurrentSchema, readSchemaHistory } from './codegen.js';
import { DATASETS } from './constants.js';
import { compileSchema } from './contracts.js';

/** Result of checking one dataset's current schema against its released versions. */
export interface CompatibilityReport {
  readonly dataset: string;
  /** Highest released version in `history/`, or 0 when none is released. */
  readonly latestVersion: number;
  /** True when the current schema equals the latest released version. */
  readonly released: boolean;
  /** One line per broken direction, e.g. `v1 readers cannot read current data: ...`. */
  readonly problems: readonly string[];
}

function canRead(reader: AvroRecord, writer: AvroRecord): string | undefined {
  try {
    compileSchema(reader).createResolver(compileSchema(writer));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Checks that the current schema of each dataset stays fully compatible with every released version:
 * new readers read old data (backward) and old readers read new data (forward).
 *
 * @param dir - folder holding `<dataset>.avsc` and `history/`
 * @param datasets - datasets to check
 */
export function checkCompatibility(
  dir = AVRO_DIR,
  datasets: readonly string[] = DATASETS,
): CompatibilityReport[] {
  return datasets.map((dataset) => {
    const current = readCurrentSchema(dataset, dir);
    const history = readSchemaHistory(dataset, dir);
    const problems: string[] = [];
    for (const { version, schema } of history) {
      const backward = canRead(current, schema);
      if (backward) problems.push(`current readers cannot read v${version} data: ${backward}`);
      const forward = canRead(schema, current);
      if (forward) problems.push(`v${version} readers cannot read current data: ${forward}`);
    }
    const latest = history.at(-1);
    return {
      dataset,
      latestVersion: latest?.version ?? 0,
      released: latest !== undefined && JSON.stringify(latest.schema) === JSON.stringify(current),
      problems,
    };
  });
}
