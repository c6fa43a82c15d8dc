import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ERCOT_REPORTS,
  ErcotSppPoller,
  type ErcotSppPollerOptions,
  HTTP_RETRY_TEST_DEFAULTS,
} from '../../../producers/sources/adapters/index.js';
import { InvalidSourceOptionError, type SimulatedClock } from '../../../producers/sources/index.js';
import { contractFor } from '../../../schemas/index.js';
import { fakeTime } from '../../helpers/fakeTime.js';
import { ERCOT_DAM_FIELDS, ercotRoute, ercotRtmRows, operatingHours } from './apiFixtures.js';
import { FixtureServer } from './fixtureServer.js';

const RTM = ERCOT_REPORTS.rtm.path;
const DAM = ERCOT_REPORTS.dam.path;
const POINTS: [string, string][] = [
  ['HB_NORTH', 'HU'],
  ['HB_BUSAVG', 'AH'],
  ['LZ_HOUSTON', 'LZ'],
  ['CEDAR_RN', 'RN'],
];
const MIN15 = 15 * 60_000;

let server: FixtureServer;
let sleeps: number[];
let clock: SimulatedClock;
let sleep: (ms: number) => Promise<void>;

beforeEach(async () => {
  server = await FixtureServer.start();
  ({ clock, sleeps, sleep } = fakeTime(Date.UTC(2024, 10, 5, 18)));
});

afterEach(async () => {
  await server.close();
});

function poller(options: ErcotSppPollerOptions = {}): ErcotSppPoller {
  return new ErcotSppPoller({
    baseUrl: server.baseUrl,
    clock,
    sleep,
    retry: { ...HTTP_RETRY_TEST_DEFAULTS },
    rateLimit: { capacity: 100, refillPerSecond: 100 },
    ...options,
  });
}

describe('ErcotSppPoller', () => {
  it('follows _meta.totalPages across pages and converts every row into a valid grid event', async () => {
    // Prepare: 2 ordinary days × 96 intervals × 4 points = 768 rows, 300 per page → 3 pages
    const rows = ercotRtmRows(POINTS, ['2024-07-01', '2024-07-02']);
    server.route(RTM, ercotRoute(rows));
    // Act
    const result = await poller({ pageSize: 300 }).poll({
      deliveryDateFrom: '2024-07-01',
      deliveryDateTo: '2024-07-02',
    });
    // Assess
    expect(result.pages).toBe(3);
    expect(result.rejected).toEqual([]);
    expect(result.events).toHaveLength(768);
    expect(server.requestsTo(RTM).map((r) => r.query.get('page'))).toEqual(['1', '2', '3']);
    expect(server.requestsTo(RTM).every((r) => r.query.get('size') === '300')).toBe(true);
    for (const e of result.events) contractFor('grid').assertValid(e);
    const north = result.events.filter((e) => e.settlement_point === 'HB_NORTH');
    // 2024-07-01 00:00 CDT = 05:00 UTC; 15-minute steps, no gaps.
    expect(north[0]!.event_time).toBe(Date.UTC(2024, 6, 1, 5));
    expect(north.every((e, i) => e.event_time === north[0]!.event_time + i * MIN15)).toBe(true);
    expect(north[0]).toMatchObject({
      record_type: 'SETTLEMENT_POINT_PRICE',
      market: 'RTM',
      interval_minutes: 15,
      load_zone: 'LZ_NORTH',
      settlement_point_type: 'HUB',
      lmp_usd_mwh: rows[0]![5],
      energy_usd_mwh: null,
      source: 'ercot-api',
    });
  });

  it('maps settlement-point types and zones (hub averages to ERCOT, resource nodes via zoneOf)', async () => {
    server.route(RTM, ercotRoute(ercotRtmRows(POINTS, ['2024-07-01'])));
    const { events } = await poller({ zoneOf: (sp) => (sp === 'CEDAR_RN' ? 'LZ_WEST' : 'LZ_NORTH') }).poll({
      deliveryDateFrom: '2024-07-01',
    });
    const first = (sp: string) => events.find((e) => e.settlement_point === sp)!;
    expect(first('HB_BUSAVG').settlement_point_type).toBe('HUB');
    expect(first('LZ_HOUSTON').settlement_point_type).toBe('LOAD_ZONE');
    expect(first('CEDAR_RN')).toMatchObject({ settlement_point_type: 'RESOURCE_NODE', load_zone: 'LZ_WEST' });
    const defaults = await poller().poll({ deliveryDateFrom: '2024-07-01' });
    expect(defaults.events.find((e) => e.settlement_point === 'HB_BUSAVG')!.load_zone).toBe('ERCOT');
    expect(defaults.events.find((e) => e.settlement_point === 'CEDAR_RN')!.load_zone).toBe('UNKNOWN');
  });

  it('converts the fall-back day (25 hours, HE2 twice) to contiguous UTC intervals using DSTFlag', async () => {
    // Prepare
    const rows = ercotRtmRows([['HB_NORTH', 'HU']], ['2024-11-03']);
    expect(operatingHours('2024-11-03')).toHaveLength(25);
    server.route(RTM, ercotRoute(rows));
    // Act
    const { events, rejected } = await poller().poll({ deliveryDateFrom: '2024-11-03' });
    // Assess: 00:00 CDT (05:00 UTC) to 24:00 CST (06:00 UTC next day), 100 intervals
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(100);
    expect(events[0]!.event_time).toBe(Date.UTC(2024, 10, 3, 5));
    expect(events.every((e, i) => e.event_time === events[0]!.event_time + i * MIN15)).toBe(true);
    const flagged = events.filter((_, i) => rows[i]![6] === true);
    expect(flagged.map((e) => new Date(e.event_time).toISOString())).toEqual([
      '2024-11-03T07:00:00.000Z',
      '2024-11-03T07:15:00.000Z',
      '2024-11-03T07:30:00.000Z',
      '2024-11-03T07:45:00.000Z',
    ]);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(100);
  });

  it('converts the spring-forward day (23 hours, no HE3) and rejects a row in the skipped hour', async () => {
    // Prepare
    const rows: unknown[][] = ercotRtmRows([['HB_NORTH', 'HU']], ['2024-03-10']);
    rows.push(['2024-03-10', 3, 2, 'HB_NORTH', 'HU', 99.5, false]);
    server.route(RTM, ercotRoute(rows));
    // Act
    const { events, rejected } = await poller().poll({ deliveryDateFrom: '2024-03-10' });
    // Assess: 00:00 CST (06:00 UTC) to 24:00 CDT (05:00 UTC next day), 92 intervals
    expect(events).toHaveLength(92);
    expect(events[0]!.event_time).toBe(Date.UTC(2024, 2, 10, 6));
    expect(events.every((e, i) => e.event_time === events[0]!.event_time + i * MIN15)).toBe(true);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ page: 1, index: 92 });
    expect(rejected[0]!.reason).toMatch(/HB_NORTH: 2024-03-10 02:15 does not exist/);
  });

  it('reads the day-ahead report with hourEnding strings', async () => {
    const rows = operatingHours('2024-07-04').map(({ hourEnding, dst }) => [
      '2024-07-04',
      `${String(hourEnding).padStart(2, '0')}:00`,
      'HB_HOUSTON',
      30 + hourEnding,
      dst,
    ]);
    server.route(DAM, ercotRoute(rows, ERCOT_DAM_FIELDS));
    const { events } = await poller({ report: 'dam' }).poll({ deliveryDateFrom: '2024-07-04' });
    expect(events).toHaveLength(24);
    expect(events[0]).toMatchObject({
      market: 'DAM',
      interval_minutes: 60,
      event_time: Date.UTC(2024, 6, 4, 5),
      lmp_usd_mwh: 31,
    });
    expect(events[23]!.event_time).toBe(Date.UTC(2024, 6, 5, 4));
  });

  it('rejects bad rows with a reason and keeps the valid ones', async () => {
    const rows: unknown[][] = ercotRtmRows([['HB_WEST', 'HU']], ['2024-07-01']).slice(0, 4);
    rows[1] = ['2024-07-01', 1, 2, 'HB_WEST', 'HU', 'n/a', false];
    rows[2] = ['07/01/2024', 1, 3, 'HB_WEST', 'HU', '21.5', 'N'];
    rows[3] = ['2024-07-01', 25, 1, 'HB_WEST', 'HU', 20, false];
    server.route(RTM, ercotRoute(rows));
    const { events, rejected } = await poller().poll({ deliveryDateFrom: '2024-07-01' });
    expect(events.map((e) => e.lmp_usd_mwh)).toEqual([rows[0]![5], 21.5]);
    expect(rejected.map((r) => [r.index, r.reason])).toEqual([
      [1, 'HB_WEST: settlementPointPrice "n/a" is not a number'],
      [3, 'HB_WEST: hour ending 25 is not 1..24'],
    ]);
  });

  it('gives the same event ids when the same rows are polled again', async () => {
    server.route(RTM, ercotRoute(ercotRtmRows(POINTS, ['2024-07-01'])));
    const a = await poller().poll({ deliveryDateFrom: '2024-07-01' });
    const b = await poller().poll({ deliveryDateFrom: '2024-07-01' });
    expect(b.events.map((e) => e.event_id)).toEqual(a.events.map((e) => e.event_id));
  });

  it('retries 429 (honouring Retry-After) and 500 on a page, then continues', async () => {
    // Prepare
    const rows = ercotRtmRows([['HB_NORTH', 'HU']], ['2024-07-01']);
    server.enqueue(
      RTM,
      {
        status: 429,
        headers: { 'retry-after': '2' },
        body: { statusCode: 429, message: 'Rate limit is exceeded.' },
      },
      { status: 500, body: 'Internal Server Error' },
    );
    server.route(RTM, ercotRoute(rows));
    // Act
    const { events } = await poller().poll({ deliveryDateFrom: '2024-07-01' });
    // Assess
    expect(events).toHaveLength(96);
    expect(server.requestsTo(RTM)).toHaveLength(3);
    expect(sleeps[0]).toBe(2_000);
    expect(sleeps).toHaveLength(2);
  });

  it('fails at once on 401/403/404 with the status and URL', async () => {
    server.enqueue(RTM, {
      status: 401,
      body: { statusCode: 401, message: 'Access denied due to missing subscription key.' },
    });
    const failing = poller().poll({ deliveryDateFrom: '2024-07-01' });
    await expect(failing).rejects.toMatchObject({ name: 'HttpStatusError', status: 401, retriable: false });
    await expect(failing).rejects.toThrow(`${server.baseUrl}${RTM}?deliveryDateFrom=2024-07-01`);
    expect(server.requestsTo(RTM)).toHaveLength(1);
  });

  it('gives up on a persistent 5xx after the configured retries', async () => {
    server.route(RTM, () => ({ status: 503, body: 'Service Unavailable' }));
    await expect(poller().poll({ deliveryDateFrom: '2024-07-01' })).rejects.toMatchObject({
      name: 'RetriesExhaustedError',
      attempts: HTTP_RETRY_TEST_DEFAULTS.retries + 1,
      cause: { name: 'HttpStatusError', status: 503 },
    });
  });

  it('names the URL and page of a malformed body', async () => {
    const rows = ercotRtmRows([['HB_NORTH', 'HU']], ['2024-07-01']);
    const route = ercotRoute(rows);
    server.route(RTM, (q) => (q.get('page') === '2' ? { body: '<html>maintenance</html>' } : route(q)));
    const failing = poller({ pageSize: 50 }).poll({ deliveryDateFrom: '2024-07-01' });
    await expect(failing).rejects.toMatchObject({
      name: 'MalformedResponseError',
      page: 2,
      retriable: false,
    });
    await expect(failing).rejects.toThrow(
      /malformed response from http:\/\/127\.0\.0\.1:\d+\/api\/public-reports\/np6-905-cd\/spp_node_zone_hub\?.*page=2.* \(page 2\): body is not JSON/,
    );
  });

  it('reports a response without fields or _meta as malformed', async () => {
    server.enqueue(RTM, {
      body: { _meta: { totalRecords: 1, pageSize: 10, totalPages: 1, currentPage: 1 }, data: [[1]] },
    });
    await expect(poller().poll({ deliveryDateFrom: '2024-07-01' })).rejects.toThrow(
      /\(page 1\): missing fields\[\]/,
    );
    server.enqueue(RTM, { body: { fields: [], data: [] } });
    await expect(poller().poll({ deliveryDateFrom: '2024-07-01' })).rejects.toThrow(
      /\(page 1\): missing _meta/,
    );
  });

  it('sends the subscription key and bearer token, and filters by settlement point', async () => {
    server.route(RTM, ercotRoute(ercotRtmRows(POINTS, ['2024-07-01'])));
    const { events } = await poller({ subscriptionKey: 'sub-key', accessToken: async () => 'tok' }).poll({
      deliveryDateFrom: '2024-07-01',
      settlementPoint: 'HB_NORTH',
    });
    const req = server.requestsTo(RTM)[0]!;
    expect(req.headers['ocp-apim-subscription-key']).toBe('sub-key');
    expect(req.headers.authorization).toBe('Bearer tok');
    expect(req.query.get('settlementPoint')).toBe('HB_NORTH');
    expect(new Set(events.map((e) => e.settlement_point))).toEqual(new Set(['HB_NORTH']));
  });

  it('defaults to today in US Central time', async () => {
    // 2024-11-05 18:00 UTC is 12:00 CST on 5 November.
    server.route(RTM, ercotRoute([]));
    const result = await poller().poll();
    expect(result.events).toEqual([]);
    expect(server.requestsTo(RTM)[0]!.query.get('deliveryDateFrom')).toBe('2024-11-05');
  });

  it('spaces requests by the rate limit', async () => {
    server.route(RTM, ercotRoute(ercotRtmRows(POINTS, ['2024-07-01'])));
    const p = poller({ pageSize: 96, rateLimit: { capacity: 1, refillPerSecond: 0.5 } });
    const result = await p.poll({ deliveryDateFrom: '2024-07-01' });
    expect(result.pages).toBe(4);
    expect(sleeps).toEqual([2_000, 2_000, 2_000]);
  });

  it('validates the query and options before any request', async () => {
    await expect(poller().poll({ deliveryDateFrom: '07/01/2024' })).rejects.toBeInstanceOf(
      InvalidSourceOptionError,
    );
    await expect(
      poller().poll({ deliveryDateFrom: '2024-07-02', deliveryDateTo: '2024-07-01' }),
    ).rejects.toThrow(/deliveryDateTo/);
    expect(() => poller({ pageSize: 0 })).toThrow(/pageSize/);
    expect(() => poller({ baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(server.requests).toHaveLength(0);
  });
});
