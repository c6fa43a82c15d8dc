import { hash } from 'node:crypto';
import type { Dataset, EventByDataset } from '../schemas/index.js';
import { KINESIS_LIMITS } from './constants.js';

/**
 * The partition key of an event: what Kinesis orders by (one key → one shard → order kept) and what
 * spreads load (many distinct keys → md5 spreads them evenly over the shards' hash ranges).
 *
 * - `grid`: the settlement point for prices, the load zone for system conditions — a price series
 *   stays in order per settlement point, and a market has hundreds of points to spread over.
 * - `weather`: `location_id` — observations and forecasts of one place stay in order.
 * - `transactions`: `trade_id` — a trade's NEW → AMEND → CANCEL life cycle lands on one shard, in order;
 *   trade ids are many and random, so load spreads evenly.
 *
 * Empty keys fall back to `event_id`; keys over Kinesis' 256-character limit are replaced by their MD5.
 *
 * @param dataset - the event's dataset
 * @param event - a valid event of that dataset
 */
export function partitionKeyOf<D extends Dataset>(dataset: D, event: EventByDataset[D]): string {
  let key: string;
  switch (dataset) {
    case 'grid': {
      const e = event as EventByDataset['grid'];
      key = e.settlement_point ?? e.load_zone;
      break;
    }
    case 'weather':
      key = (event as EventByDataset['weather']).location_id;
      break;
    default:
      key = (event as EventByDataset['transactions']).trade_id;
  }
  if (key.length === 0) return event.event_id.length > 0 ? event.event_id : '-';
  if (key.length > KINESIS_LIMITS.maxPartitionKeyLength) return hash('md5', key, 'hex');
  return key;
}

/** The field(s) each dataset's partition key comes from, for docs and `--help`. */
export const PARTITION_KEY_FIELDS = {
  grid: 'settlement_point (load_zone for SYSTEM_CONDITIONS)',
  weather: 'location_id',
  transactions: 'trade_id',
} as const satisfies Record<Dataset, string>;
