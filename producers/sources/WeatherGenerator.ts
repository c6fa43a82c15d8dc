import type { WeatherEvent } from '../../schemas/index.js';
import { HOUR_MS, SYNTHETIC_SOURCE, WEATHER_DEFAULTS } from './constants.js';
import { WEATHER_LOCATIONS } from './ercotCatalog.js';
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
 * The clock is read once per batch; the batch is the hour containing that reading (repeated, with
 * new event ids, while the clock stays in the same hour).
 */
export class WeatherGenerator implements EventGenerator<'weather'> {
  /** Always `weather`. */
  public readonly dataset = 'weather' as const;
  private readonly common: CommonGeneratorSettings;
  private readonly slots: readonly Slot[];
  private readonly forecastEveryHours: number;
  private readonly includeObservations: boolean;
  private readonly batch: WeatherEvent[] = [];
  private position = 0;
  private sequence: number;
  private cachedHour = Number.NaN;
  private readonly cachedSamples: WeatherSample[] = [];

  /**
   * @param options - generator options; `options.weather` picks locations and forecast horizons
   * @throws InvalidSourceOptionError naming an invalid option
   */
  public constructor(options: GeneratorOptions = {}) {
    this.common = resolveCommonOptions('weather', options);
    const w = options.weather ?? {};
    const locations = pickByName('weather.locations', w.locations, WEATHER_LOCATIONS, (l) => l.id);
    const includeObservations = w.includeObservations ?? WEATHER_DEFAULTS.includeObservations;
    this.includeObservations = includeObservations;
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
  }

  /** The next event; see the class comment for how hours advance. */
  public next(): WeatherEvent {
    if (this.position >= this.batch.length) this.fill();
    return this.batch[this.position++]!;
  }

  private fill(): void {
    const { clock, seed32, idKey, producerId } = this.common;
    const now = clock.now();
    const hourIndex = Math.floor(now / HOUR_MS);
    const hour = hourIndex * HOUR_MS;
    // Forecasts come from the latest issue; with observations they are sent only in issue hours,
    // without observations the latest issue is repeated so that no batch is empty.
    const issueHour = Math.floor(hourIndex / this.forecastEveryHours) * this.forecastEveryHours * HOUR_MS;
    const issuing = !this.includeObservations || issueHour === hour;
    const fresh = hourIndex !== this.cachedHour;
    this.cachedHour = hourIndex;
    this.batch.length = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      const h = slot.horizonHours;
      if (h > 0 && !issuing) continue;
      const target = h === 0 ? hour : issueHour + h * HOUR_MS;
      if (fresh) {
        this.cachedSamples[i] =
          h === 0
            ? weatherAt(slot.location, hour, seed32)
            : forecastAt(slot.location, target, issueHour, seed32);
      }
      const s = this.cachedSamples[i]!;
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
        produced_at: now,
      });
    }
    this.position = 0;
  }
}
