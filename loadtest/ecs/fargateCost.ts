import type { PriceTable } from '../model/costModel.js';

/** The load-worker tasks of a run, as {@link fargateCost} prices them. */
export interface FargateTasks {
  /** Tasks (workers). */
  readonly tasks: number;
  /** vCPU units per task (1024 = 1 vCPU; the CDK app's `loadtest.cpu`). */
  readonly cpu: number;
  /** Memory per task, MiB (`loadtest.memoryMiB`). */
  readonly memoryMiB: number;
  /** How long each task runs, seconds (image pull and start delay included: Fargate bills from the pull). */
  readonly seconds: number;
  /** Ephemeral storage per task, GiB. @default 20 (the included amount) */
  readonly ephemeralStorageGiB?: number;
}

/** What load-worker tasks cost, in the price table's currency. */
export interface FargateCost {
  /** One task for one hour. */
  readonly perTaskHour: number;
  /** All tasks for one hour. */
  readonly perHour: number;
  /** All tasks for `seconds` (each billed at least the minimum). */
  readonly total: number;
  readonly asOf: string;
  readonly region: string;
  readonly currency: string;
}

/**
 * Prices the ECS Fargate tasks of a load test run at scale (Linux, x86) from the dated price table: vCPU-hours
 * plus GB-hours of memory, per second with a one-minute minimum per task.
 *
 * @param prices - the price table (`loadPrices()`)
 * @param load - tasks, size and duration
 * @returns per task-hour, per hour and the total
 * @example
 * ```ts
 * fargateCost(loadPrices(), { tasks: 8, cpu: 1024, memoryMiB: 2048, seconds: 900 }).perHour; // 0.395 USD
 * ```
 */
export function fargateCost(prices: PriceTable, load: FargateTasks): FargateCost {
  const f = prices.fargate;
  const extraStorage = Math.max(
    0,
    (load.ephemeralStorageGiB ?? f.included_ephemeral_storage_gb) - f.included_ephemeral_storage_gb,
  );
  const perTaskHour =
    (load.cpu / 1024) * f.linux_x86_vcpu_hour +
    (load.memoryMiB / 1024) * f.linux_x86_gb_hour +
    extraStorage * f.ephemeral_storage_gb_hour;
  const billedSeconds = Math.max(load.seconds, f.minimum_billed_seconds);
  return {
    perTaskHour,
    perHour: perTaskHour * load.tasks,
    total: (perTaskHour * load.tasks * billedSeconds) / 3600,
    asOf: prices.as_of,
    region: prices.region,
    currency: prices.currency,
  };
}
