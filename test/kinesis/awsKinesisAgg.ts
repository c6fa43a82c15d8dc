// Typed, promise-based access to aws-kinesis-agg, the reference implementation of the KPL aggregation
// format, for interoperability tests. Its bundled typings import packages gridstream does not install.
import { createRequire } from 'node:module';

interface RefUserRecord {
  partitionKey: string;
  explicitPartitionKey?: string;
  subSequenceNumber?: number;
  data: string;
}
interface RefEncodedRecord {
  partitionKey: string;
  data: Buffer;
}
interface AwsKinesisAgg {
  deaggregateSync(
    record: { partitionKey: string; data: string; sequenceNumber: string },
    computeChecksums: boolean,
    done: (err: Error | null | undefined, records?: RefUserRecord[]) => void,
  ): void;
  aggregate(
    records: { partitionKey: string; data: Buffer }[],
    onEncoded: (encoded: RefEncodedRecord, done: (err?: Error) => void) => void,
    afterAll: () => void,
    onError: (err: Error) => void,
  ): void;
}

const agg = createRequire(import.meta.url)('aws-kinesis-agg') as AwsKinesisAgg;

/**
 * De-aggregates with aws-kinesis-agg, checksums verified.
 *
 * @param data - Kinesis record payload
 * @param partitionKey - the Kinesis record's partition key
 */
export function referenceDeaggregate(
  data: Uint8Array,
  partitionKey: string,
): { partitionKey: string; data: Buffer }[] {
  let result: { partitionKey: string; data: Buffer }[] | undefined;
  let failure: Error | undefined;
  agg.deaggregateSync(
    { partitionKey, data: Buffer.from(data).toString('base64'), sequenceNumber: '1' },
    true,
    (err, records) => {
      if (err) failure ??= err;
      else
        result = (records ?? []).map((r) => ({
          partitionKey: r.partitionKey,
          data: Buffer.from(r.data, 'base64'),
        }));
    },
  );
  if (failure) throw failure;
  return result ?? [];
}

/**
 * Aggregates with aws-kinesis-agg (records up to 1 MiB per aggregate).
 *
 * @param records - user records
 */
export function referenceAggregate(
  records: { partitionKey: string; data: Buffer }[],
): Promise<{ partitionKey: string; data: Buffer }[]> {
  return new Promise((resolve, reject) => {
    const out: RefEncodedRecord[] = [];
    agg.aggregate(
      records,
      (encoded, done) => {
        out.push(encoded);
        done();
      },
      () => resolve(out),
      reject,
    );
  });
}
