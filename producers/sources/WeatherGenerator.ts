import type { WeatherEvent } from '../../schemas/index.js';
import { HOUR_MS, SYNTHETIC_SOURCE, WEATHER_DEFAULTS } from './constants.js';
import { MAX_STATIONS_PER_LOCATION, weatherStations } from './ercotCatalog.js';
import { InvalidSourceOptionError } from './errors.js';
import { eventIdFor } from './eventId.js';
import { type CommonGeneratorSettings, pickByName, resolveCommonOptions } from './generatorOptions.js';
import type { EventGenerator, GeneratorOptions, WeatherLocation } from './types.js';
import { forecastAt, type WeatherSample, weatherAt } from './weatherModel.js';

/** One event slot of an hourly batch: a location's observation, or one horizon of its forecast. */
interface Slot {
  readonly location: WeatherLocation;
  /** 0 for the observation, else the forecast horizon in hours. */
  readonly horizonHours: number;
}

/**
 * Seeded Open-Meteo-style hourly weather: per hour and location an OBSERVATION of the shared weather
 * model, and (at issue hours) FORECASTs for each horizon with errors growing with the horizon.
 *
 * A batch is one hour: every station's observation and, at issue hours, every forecast issued then.
 * The clock is read once per batch; the batch is the hour containing that reading, but never at or
 * before the previous batch's hour: a fast producer moves simulated time forward instead of repeating
 * an hour, so a natural key (location, record type, valid time, issue time) is never emitted twice
 * and a location has at most one observation per hour. A forecast update is a new issue time.
 */
export class WeatherGenerator implements EventGenerator<'weather'> {
  /** Always `weather`. */
  public readonly dataset = 'weather' as const;
  private readonly common: CommonGeneratorSettings;
  private readonly slots: readonly Slot[];
  private readonly forecastEveryHours: number;
  private readonly batch: WeatherEvent[] = [];
  private position = 0;
  private sequence: number;
  private lastHour = Number.NEGATIVE_INFINITY;
  /** Events per hour of simulated time (observations plus forecasts issued that hour, on average). */
  public readonly eventsPerHour: number;

  /**
   * @param options - generator options; `options.weather` picks locations and forecast horizons
   * @throws InvalidSourceOptionError naming an invalid option
   */
  public constructor(options: GeneratorOptions = {}) {
    this.common = resolveCommonOptions('weather', options);
    const w = options.weather ?? {};
    const perLocation = w.stationsPerLocation ?? 1;
    if (!Number.isInteger(perLocation) || perLocation < 1 || perLocation > MAX_STATIONS_PER_LOCATION) {
      throw new InvalidSourceOptionError(
        'weather.stationsPerLocation',
        perLocation,
        `an integer in 1..${MAX_STATIONS_PER_LOCATION}`,
      );
    }
    const locations = pickByName('weather.locations', w.locations, weatherStations(perLocation), (l) => l.id);
    const includeObservations = w.includeObservations ?? WEATHER_DEFAULTS.includeObservations;
    const horizons = w.forecastHorizonsHours ?? WEATHER_DEFAULTS.forecastHorizonsHours;
    for (const h of horizons) {
      if (!Number.isInteger(h) || h < 1 || h > 384) {
        throw new InvalidSourceOptionError('weather.forecastHorizonsHours', h, 'integers in 1..384');
      }
    }
    this.forecastEveryHours = w.forecastEveryHours ?? WEATHER_DEFAULTS.forecastEveryHours;
    if (
      !Number.isInteger(this.forecastEveryHours) ||
      this.forecastEveryHours < 1 ||
      this.forecastEveryHours > 24
    ) {
      throw new InvalidSourceOptionError(
        'weather.forecastEveryHours',
        this.forecastEveryHours,
        'an integer in 1..24',
      );
    }
    // Horizon-major order: all locations at one valid time in a row share the model's regional cache.
    const slots: Slot[] = [];
    if (includeObservations) for (const location of locations) slots.push({ location, horizonHours: 0 });
    for (const h of horizons) for (const location of locations) slots.push({ location, horizonHours: h });
    if (slots.length === 0 || !(includeObservations || horizons.length > 0)) {
      throw new InvalidSourceOptionError(
        'weather',
        w,
        'at least one location with observations or forecasts',
      );
    }
    this.slots = slots;
    this.sequence = this.common.startSequence;
    const forecasts = slots.filter((x) => x.horizonHours > 0).length;
    this.eventsPerHour = (includeObservations ? locations.length : 0) + forecasts / this.forecastEveryHours;
  }

  /** The next event; see the class comment for how hours advance. */
  public next(): WeatherEvent {
    while (this.position >= this.batch.length) this.fill();
    return this.batch[this.position++]!;
  }

  private fill(): void {
    const { clock, seed32, idKey, producerId } = this.common;
    const now = clock.now();
    const hourIndex = Math.max(Math.floor(now / HOUR_MS), this.lastHour + 1);
    this.lastHour = hourIndex;
    const hour = hourIndex * HOUR_MS;
    const producedAt = Math.max(now, hour);
    // Forecasts are sent only in issue hours (an hour without observations nor an issue is empty:
    // next() moves on to the next hour).
    const issueHour = Math.floor(hourIndex / this.forecastEveryHours) * this.forecastEveryHours * HOUR_MS;
    const issuing = issueHour === hour;
    this.batch.length = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      const h = slot.horizonHours;
      if (h > 0 && !issuing) continue;
      const target = h === 0 ? hour : issueHour + h * HOUR_MS;
      const s: WeatherSample =
        h === 0
          ? weatherAt(slot.location, hour, seed32)
          : forecastAt(slot.location, target, issueHour, seed32);
      const loc = slot.location;
      this.batch.push({
        event_id: eventIdFor(idKey, this.sequence++),
        event_time: target,
        record_type: h === 0 ? 'OBSERVATION' : 'FORECAST',
        location_id: loc.id,
        location_name: loc.name,
        load_zone: loc.loadZone,
        latitude_deg: loc.latitudeDeg,
        longitude_deg: loc.longitudeDeg,
        forecast_issued_at: h === 0 ? null : issueHour,
        forecast_horizon_hours: h === 0 ? null : h,
        temperature_c: s.temperatureC,
        relative_humidity_pct: s.relativeHumidityPct,
        dew_point_c: s.dewPointC,
        wind_speed_mps: s.windSpeedMps,
        wind_direction_deg: s.windDirectionDeg,
        shortwave_radiation_w_m2: s.shortwaveRadiationWm2,
        cloud_cover_pct: s.cloudCoverPct,
        precipitation_mm: s.precipitationMm,
        source: SYNTHETIC_SOURCE,
        producer_id: producerId,
        produced_at: producedAt,
      });
    }
    this.position = 0;
  }
}
