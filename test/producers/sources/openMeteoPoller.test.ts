import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HTTP_RETRY_TEST_DEFAULTS,
  OPEN_METEO_FORECAST_PATH,
  OPEN_METEO_HOURLY_VARIABLES,
  OpenMeteoPoller,
  type OpenMeteoPollerOptions,
} from '../../../producers/sources/adapters/index.js';
import { type SimulatedClock, WEATHER_LOCATIONS, weatherAt } from '../../../producers/sources/index.js';
import { contractFor } from '../../../schemas/index.js';
import { fakeTime } from '../../helpers/fakeTime.js';
import { openMeteoResponse, openMeteoRoute } from './apiFixtures.js';
import { FixtureServer } from './fixtureServer.js';

const PATH = OPEN_METEO_FORECAST_PATH;
const HOUR = 3_600_000;
// Poll at 2025-07-10 14:20 UTC: hours up to 14:00 are observations, 15:00 onwards forecasts.
const NOW = Date.UTC(2025, 6, 10, 14, 20);
const houston = WEATHER_LOCATIONS.find((l) => l.id === 'houston')!;

let server: FixtureServer;
let sleeps: number[];
let clock: SimulatedClock;
let sleep: (ms: number) => Promise<void>;

beforeEach(async () => {
  server = await FixtureServer.start();
  ({ clock, sleeps, sleep } = fakeTime(NOW));
});

afterEach(async () => {
  await server.close();
});

function poller(options: OpenMeteoPollerOptions = {}): OpenMeteoPoller {
  return new OpenMeteoPoller({
    baseUrl: server.baseUrl,
    clock,
    sleep,
    retry: { ...HTTP_RETRY_TEST_DEFAULTS },
    rateLimit: { capacity: 100, refillPerSecond: 100 },
    ...options,
  });
}

describe('OpenMeteoPoller', () => {
  it('requests the forecast API with the real parameter names', async () => {
    server.route(PATH, openMeteoRoute(NOW));
    await poller({ locations: [houston], pastDays: 1, forecastDays: 2 }).poll();
    const q = server.requestsTo(PATH)[0]!.query;
    expect(Object.fromEntries(q)).toEqual({
      latitude: '29.7604',
      longitude: '-95.3698',
      hourly: OPEN_METEO_HOURLY_VARIABLES.join(','),
      timezone: 'UTC',
      wind_speed_unit: 'ms',
      past_days: '1',
      forecast_days: '2',
    });
  });

  it('turns past hours into OBSERVATIONs and future hours into FORECASTs, all valid', async () => {
    // Prepare
    server.route(PATH, openMeteoRoute(NOW));
    // Act
    const { events, rejected, pages } = await poller({
      locations: [houston],
      pastDays: 1,
      forecastDays: 2,
    }).poll();
    // Assess: 72 hours from 2025-07-09 00:00 UTC
    expect(pages).toBe(1);
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(72);
    for (const e of events) contractFor('weather').assertValid(e);
    const obs = events.filter((e) => e.record_type === 'OBSERVATION');
    const fc = events.filter((e) => e.record_type === 'FORECAST');
    expect(obs).toHaveLength(24 + 15);
    expect(obs.at(-1)!.event_time).toBe(Date.UTC(2025, 6, 10, 14));
    expect(obs.every((e) => e.forecast_issued_at === null && e.forecast_horizon_hours === null)).toBe(true);
    expect(fc[0]).toMatchObject({
      event_time: Date.UTC(2025, 6, 10, 15),
      forecast_issued_at: Date.UTC(2025, 6, 10, 14),
      forecast_horizon_hours: 1,
    });
    expect(fc.every((e) => e.event_time === e.forecast_issued_at! + e.forecast_horizon_hours! * HOUR)).toBe(
      true,
    );
    // Values are the response's, mapped to the contract's fields.
    const t = Date.UTC(2025, 6, 9, 18);
    const w = weatherAt(houston, t, 5);
    expect(events.find((e) => e.event_time === t)).toMatchObject({
      location_id: 'houston',
      location_name: 'Houston',
      load_zone: 'LZ_HOUSTON',
      latitude_deg: houston.latitudeDeg,
      temperature_c: w.temperatureC,
      dew_point_c: w.dewPointC,
      wind_speed_mps: w.windSpeedMps,
      wind_direction_deg: w.windDirectionDeg,
      shortwave_radiation_w_m2: w.shortwaveRadiationWm2,
      cloud_cover_pct: w.cloudCoverPct,
      precipitation_mm: w.precipitationMm,
      source: 'open-meteo',
      produced_at: NOW,
    });
  });

  it('pages through the locations, several coordinates per request', async () => {
    server.route(PATH, openMeteoRoute(NOW));
    const { events, pages } = await poller({ locationsPerRequest: 4, pastDays: 0, forecastDays: 1 }).poll();
    expect(pages).toBe(3);
    expect(server.requestsTo(PATH).map((r) => r.query.get('latitude')!.split(',').length)).toEqual([4, 4, 3]);
    expect(events).toHaveLength(WEATHER_LOCATIONS.length * 24);
    expect(new Set(events.map((e) => e.location_id))).toEqual(new Set(WEATHER_LOCATIONS.map((l) => l.id)));
  });

  it('gives the same ids when the same forecast is polled again within the hour', async () => {
    server.route(PATH, openMeteoRoute(NOW));
    const a = await poller({ locations: [houston] }).poll();
    clock.advance(20 * 60_000);
    const b = await poller({ locations: [houston] }).poll();
    expect(b.events.map((e) => e.event_id)).toEqual(a.events.map((e) => e.event_id));
    expect(new Set(a.events.map((e) => e.event_id)).size).toBe(a.events.length);
  });

  it('rejects hours without a temperature, keeps nulls of optional variables, converts units', async () => {
    // Prepare: km/h and °F as a misconfigured upstream would send them, with gaps
    const body = openMeteoResponse(houston, Date.UTC(2025, 6, 10), 24) as {
      hourly_units: Record<string, string>;
      hourly: Record<string, (number | null)[]>;
    };
    body.hourly_units.wind_speed_10m = 'km/h';
    body.hourly.wind_speed_10m = body.hourly.wind_speed_10m!.map(() => 36);
    body.hourly.temperature_2m![3] = null;
    body.hourly.cloud_cover![4] = null;
    server.enqueue(PATH, { body });
    // Act
    const { events, rejected } = await poller({ locations: [houston], pastDays: 0, forecastDays: 1 }).poll();
    // Assess
    expect(events).toHaveLength(23);
    expect(rejected).toEqual([
      expect.objectContaining({
        page: 1,
        index: 3,
        reason: 'houston: temperature_2m at 2025-07-10T03:00 is null',
      }),
    ]);
    expect(events.find((e) => e.event_time === Date.UTC(2025, 6, 10, 4))!.cloud_cover_pct).toBeNull();
    expect(events.every((e) => e.wind_speed_mps === 10)).toBe(true);
  });

  it('retries 429 and 503, honouring Retry-After', async () => {
    server.enqueue(
      PATH,
      {
        status: 429,
        headers: { 'retry-after': '3' },
        body: { error: true, reason: 'Too many concurrent requests' },
      },
      { status: 503, body: 'upstream unavailable' },
    );
    server.route(PATH, openMeteoRoute(NOW));
    const { events } = await poller({ locations: [houston] }).poll();
    expect(events.length).toBeGreaterThan(0);
    expect(server.requestsTo(PATH)).toHaveLength(3);
    expect(sleeps[0]).toBe(3_000);
  });

  it('fails at once on 400 with the API reason', async () => {
    server.enqueue(PATH, {
      status: 400,
      body: { error: true, reason: 'Cannot initialize WeatherVariable from invalid String value' },
    });
    const failing = poller({ locations: [houston] }).poll();
    await expect(failing).rejects.toMatchObject({ name: 'HttpStatusError', status: 400, retriable: false });
    await expect(failing).rejects.toThrow(/HTTP 400: .*Cannot initialize WeatherVariable/);
  });

  it('names the URL and page of a malformed body', async () => {
    const route = openMeteoRoute(NOW);
    let calls = 0;
    server.route(PATH, (q) => (++calls === 2 ? { body: '{"latitude": 29.75, "hourly": ' } : route(q)));
    const failing = poller({ locationsPerRequest: 5 }).poll();
    await expect(failing).rejects.toMatchObject({ name: 'MalformedResponseError', page: 2 });
    await expect(failing).rejects.toThrow(
      /malformed response from http:\/\/127\.0\.0\.1:\d+\/v1\/forecast\?latitude=.* \(page 2\): body is not JSON/,
    );
  });

  it('reports a response with missing arrays as malformed, naming the variable', async () => {
    const body = openMeteoResponse(houston, Date.UTC(2025, 6, 10), 24) as { hourly: Record<string, unknown> };
    delete body.hourly.dew_point_2m;
    server.enqueue(PATH, { body });
    await expect(poller({ locations: [houston] }).poll()).rejects.toThrow(
      /\(page 1\): location houston: hourly.dew_point_2m missing/,
    );
  });

  it('retries network failures and gives up with the last error as cause', async () => {
    // Prepare: a port nothing listens on
    const closed = await FixtureServer.start();
    const url = closed.baseUrl;
    await closed.close();
    // Act
    const failing = poller({ baseUrl: url, locations: [houston] }).poll();
    // Assess
    await expect(failing).rejects.toMatchObject({
      name: 'RetriesExhaustedError',
      attempts: HTTP_RETRY_TEST_DEFAULTS.retries + 1,
      cause: { name: 'NetworkError', retriable: true },
    });
    await expect(failing).rejects.toThrow(/ECONNREFUSED/);
  });

  it('keeps to the rate limit across location batches', async () => {
    server.route(PATH, openMeteoRoute(NOW));
    await poller({ locationsPerRequest: 2, rateLimit: { capacity: 2, refillPerSecond: 4 } }).poll();
    expect(server.requestsTo(PATH)).toHaveLength(6);
    expect(sleeps).toEqual([250, 250, 250, 250]);
  });

  it('validates options before any request', () => {
    expect(() => poller({ forecastDays: 17 })).toThrow(/forecastDays/);
    expect(() => poller({ locationsPerRequest: 0 })).toThrow(/locationsPerRequest/);
    expect(() => poller({ baseUrl: 'not a url' })).toThrow(/baseUrl/);
    expect(server.requests).toHaveLength(0);
  });
});
