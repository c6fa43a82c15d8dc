import { DuckDBDecimalValue } from '@duckdb/node-api';
import type { GridEvent, TransactionsEvent, WeatherEvent } from '../../schemas/index.js';
import { curationViews } from '../../stream-processors/curation/index.js';
import { query, rawFileName, writeRawEvents } from './rawLake.js';
import { type Delivery, deliveries, type Scenario } from './scenario.js';

/** A table row with plain JS values: numbers, strings, booleans, ISO timestamps, null. */
export type Row = Record<string, number | string | boolean | null>;

function plain(v: unknown): number | string | boolean | null {
  if (v === null || v === undefined) return null;
  // DECIMAL money and energy: its exact text is the value (e.g. "42.50"), compared as a number.
  if (v instanceof DuckDBDecimalValue) return Number(v.toString());
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

/** The SELECT a curated/gold view runs (the manifest's files), for a one-off query. */
export async function tableSql(lake: string, name: string): Promise<string> {
  const view = (await curationViews(lake)).find((v) => v.name === name);
  if (!view) throw new Error(`no table ${name}`);
  return view.sql.replace(/^CREATE OR REPLACE VIEW "[^"]+" AS /, '');
}

/**
 * Every row of a published table, sorted by all columns, as plain values.
 *
 * @param lake - lake folder
 * @param name - view name, e.g. curated_grid
 * @param where - optional filter
 */
export async function readTable(lake: string, name: string, where = 'true'): Promise<Row[]> {
  const rows = await query(`SELECT * FROM (${await tableSql(lake, name)}) WHERE ${where} ORDER BY ALL`);
  // dt is a DATE in the views: compared as its yyyy-MM-dd text, the partition folder's name.
  const value = (k: string, v: unknown) =>
    k === 'dt' && v instanceof Date ? v.toISOString().slice(0, 10) : plain(v);
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, value(k, v)])));
}

/** The raw files written for a scenario, per dataset, in delivery order. */
export interface ScenarioFiles {
  readonly grid: Delivery<GridEvent>[];
  readonly weather: Delivery<WeatherEvent>[];
  readonly transactions: Delivery<TransactionsEvent>[];
}

/**
 * Writes a scenario into a lake's raw zone with at-least-once duplicates (see `deliveries`).
 *
 * @param lake - lake folder
 * @param s - the scenario
 */
export async function writeScenarioLake(lake: string, s: Scenario): Promise<ScenarioFiles> {
  const files: ScenarioFiles = {
    grid: deliveries(
      s.grid,
      (e) =>
        e.record_type === 'SETTLEMENT_POINT_PRICE'
          ? { ...e, lmp_usd_mwh: (e.lmp_usd_mwh ?? 0) + 1, energy_usd_mwh: (e.energy_usd_mwh ?? 0) + 1 }
          : { ...e, load_mw: (e.load_mw ?? 0) + 1 },
      () => rawFileName('grid'),
    ),
    weather: deliveries(
      s.weather,
      (e) => ({ ...e, temperature_c: e.temperature_c + 0.5 }),
      () => rawFileName('weather'),
    ),
    transactions: deliveries(
      s.transactions,
      (e) => ({ ...e, price_usd_mwh: e.price_usd_mwh + 0.25 }),
      () => rawFileName('transactions'),
    ),
  };
  for (const d of files.grid) await writeRawEvents(lake, 'grid', d.events, { name: d.name });
  for (const d of files.weather) await writeRawEvents(lake, 'weather', d.events, { name: d.name });
  for (const d of files.transactions) await writeRawEvents(lake, 'transactions', d.events, { name: d.name });
  return files;
}
