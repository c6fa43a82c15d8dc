import { describe, expect, it } from 'vitest';
import {
  backfill,
  cosSolarZenith,
  forecastAt,
  relativeHumidity,
  WEATHER_LOCATIONS,
  weatherAt,
} from '../../../producers/sources/index.js';
import type { WeatherEvent } from '../../../schemas/index.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

const houston = WEATHER_LOCATIONS.find((l) => l.id === 'houston')!;
const elPaso = WEATHER_LOCATIONS.find((l) => l.id === 'el_paso')!;

// A year of hourly observations and forecasts for every location, in simulated time.
const YEAR: WeatherEvent[] = [
  ...backfill('weather', {
    seed: 13,
    startMs: Date.UTC(2025, 0, 1),
    endMs: Date.UTC(2026, 0, 1),
    weather: { forecastHorizonsHours: [1, 24, 48], forecastEveryHours: 6 },
  }),
];
const OBS = YEAR.filter((e) => e.record_type === 'OBSERVATION');

function solarHour(e: WeatherEvent): number {
  return (((e.event_time % DAY) / HOUR + e.longitude_deg / 15 + 24) % 24) | 0;
}

describe('weather model', () => {
  it('covers every location every hour of the year', () => {
    expect(OBS).toHaveLength(365 * 24 * WEATHER_LOCATIONS.length);
    expect(new Set(OBS.map((e) => e.location_id))).toEqual(new Set(WEATHER_LOCATIONS.map((l) => l.id)));
  });

  it('has a diurnal temperature cycle: afternoons warmer than dawns', () => {
    for (const id of ['houston', 'midland']) {
      const here = OBS.filter((e) => e.location_id === id);
      const afternoon = mean(here.filter((e) => solarHour(e) === 15).map((e) => e.temperature_c));
      const dawn = mean(here.filter((e) => solarHour(e) === 5).map((e) => e.temperature_c));
      expect(afternoon - dawn).toBeGreaterThan(4);
    }
  });

  it('has seasons: July is much warmer than January', () => {
    const monthMean = (m: number) =>
      mean(
        OBS.filter((e) => new Date(e.event_time).getUTCMonth() === m && e.location_id === 'dallas').map(
          (e) => e.temperature_c,
        ),
      );
    expect(monthMean(6) - monthMean(0)).toBeGreaterThan(12);
  });

  it('keeps dew point at or below temperature and humidity consistent with both (Magnus)', () => {
    const bad = OBS.filter(
      (e) =>
        e.dew_point_c! > e.temperature_c ||
        Math.abs(e.relative_humidity_pct! - relativeHumidity(e.temperature_c, e.dew_point_c!)) > 0.06 ||
        e.relative_humidity_pct! < 0 ||
        e.relative_humidity_pct! > 100,
    );
    expect(bad).toEqual([]);
  });

  it('is humid on the coast and dry in the desert', () => {
    const rh = (id: string) =>
      mean(OBS.filter((e) => e.location_id === id).map((e) => e.relative_humidity_pct!));
    expect(rh('houston')).toBeGreaterThan(rh('el_paso') + 20);
  });

  it('has zero irradiance when the sun is down and sun-angle-shaped irradiance by day', () => {
    const night = OBS.filter((e) => {
      const loc = WEATHER_LOCATIONS.find((l) => l.id === e.location_id)!;
      return cosSolarZenith(loc.latitudeDeg, loc.longitudeDeg, e.event_time) <= 0;
    });
    expect(night.length).toBeGreaterThan(OBS.length / 3);
    expect(night.filter((e) => e.shortwave_radiation_w_m2 !== 0)).toEqual([]);
    const noonJune = OBS.filter(
      (e) => e.location_id === 'el_paso' && solarHour(e) === 12 && new Date(e.event_time).getUTCMonth() === 5,
    );
    const noonDec = OBS.filter(
      (e) =>
        e.location_id === 'el_paso' && solarHour(e) === 12 && new Date(e.event_time).getUTCMonth() === 11,
    );
    expect(mean(noonJune.map((e) => e.shortwave_radiation_w_m2!))).toBeGreaterThan(
      mean(noonDec.map((e) => e.shortwave_radiation_w_m2!)) * 1.3,
    );
    expect(Math.max(...OBS.map((e) => e.shortwave_radiation_w_m2!))).toBeLessThan(1100);
  });

  it('dims the sun under clouds', () => {
    const noon = OBS.filter((e) => e.location_id === 'houston' && solarHour(e) === 12);
    const clear = mean(noon.filter((e) => e.cloud_cover_pct! < 20).map((e) => e.shortwave_radiation_w_m2!));
    const overcast = mean(
      noon.filter((e) => e.cloud_cover_pct! > 90).map((e) => e.shortwave_radiation_w_m2!),
    );
    expect(clear).toBeGreaterThan(overcast * 1.5);
  });

  it('rains only under thick cloud, more on the coast than in the desert', () => {
    const wet = OBS.filter((e) => e.precipitation_mm! > 0);
    expect(wet.length).toBeGreaterThan(100);
    expect(wet.filter((e) => e.cloud_cover_pct! <= 70)).toEqual([]);
    const total = (id: string) =>
      OBS.filter((e) => e.location_id === id).reduce((a, e) => a + e.precipitation_mm!, 0);
    expect(total('houston')).toBeGreaterThan(total('el_paso'));
  });

  it('keeps wind speed positive and direction in [0, 360)', () => {
    expect(
      OBS.filter((e) => e.wind_speed_mps! <= 0 || e.wind_direction_deg! < 0 || e.wind_direction_deg! >= 360),
    ).toEqual([]);
    expect(
      mean(OBS.filter((e) => e.location_id === 'lubbock').map((e) => e.wind_speed_mps!)),
    ).toBeGreaterThan(mean(OBS.filter((e) => e.location_id === 'austin').map((e) => e.wind_speed_mps!)));
  });

  it('is a pure function of (location, time, seed)', () => {
    const t = Date.UTC(2025, 3, 3, 17);
    expect(weatherAt(houston, t, 1)).toEqual(weatherAt(houston, t, 1));
    expect(weatherAt(houston, t, 1)).not.toEqual(weatherAt(houston, t, 2));
    expect(weatherAt(houston, t, 1)).not.toEqual(weatherAt(elPaso, t, 1));
  });
});

describe('weather forecasts', () => {
  const forecasts = YEAR.filter((e) => e.record_type === 'FORECAST');

  it('are issued at the issue hours for each horizon, valid issue + horizon', () => {
    expect(forecasts).toHaveLength(365 * 4 * 3 * WEATHER_LOCATIONS.length);
    const bad = forecasts.filter(
      (e) =>
        e.forecast_issued_at! % (6 * HOUR) !== 0 ||
        e.event_time !== e.forecast_issued_at! + e.forecast_horizon_hours! * HOUR ||
        ![1, 24, 48].includes(e.forecast_horizon_hours!),
    );
    expect(bad).toEqual([]);
    expect(OBS.every((e) => e.forecast_issued_at === null && e.forecast_horizon_hours === null)).toBe(true);
  });

  it('err more the further ahead they look', () => {
    const error = (h: number) =>
      mean(
        forecasts
          .filter((e) => e.forecast_horizon_hours === h)
          .map((e) => {
            const loc = WEATHER_LOCATIONS.find((l) => l.id === e.location_id)!;
            return Math.abs(e.temperature_c - weatherAt(loc, e.event_time, 13).temperatureC);
          }),
      );
    expect(error(1)).toBeGreaterThan(0.1);
    expect(error(48)).toBeGreaterThan(error(1) * 2);
  });

  it('keep physical consistency: no sun at night, dew point below temperature', () => {
    const t = Date.UTC(2025, 6, 1, 6); // 01:00 CDT
    for (let h = 1; h <= 48; h++) {
      const f = forecastAt(houston, t + h * HOUR, t, 13);
      expect(f.dewPointC).toBeLessThanOrEqual(f.temperatureC);
      if (cosSolarZenith(houston.latitudeDeg, houston.longitudeDeg, t + h * HOUR) <= 0) {
        expect(f.shortwaveRadiationWm2).toBe(0);
      }
    }
  });
});
