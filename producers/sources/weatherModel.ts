import { DAY_MS, HOUR_MS } from './constants.js';
import { hashNormal, hashString, smoothNoise } from './prng.js';
import type { WeatherLocation } from './types.js';

/**
 * The deterministic weather model shared by the weather and grid generators: every value is a pure
 * function of (location, time, seed), so the grid's load, wind and solar at a time follow exactly the
 * weather the weather generator reports for the same seed and time.
 *
 * Temperature = climate mean + seasonal cosine (peak late July) + diurnal cosine (peak 15:00 solar
 * time, damped by clouds) + synoptic anomalies (smooth noise shared across Texas, plus a local part).
 * Irradiance = Haurwitz clear-sky GHI from the sun's zenith angle (zero at night) × Kasten–Czeplak
 * cloud attenuation. Dew point never exceeds temperature; relative humidity is derived from both
 * (Magnus formula), so the three are consistent.
 */

/** One hourly weather reading of a location (values rounded as an API would report them). */
export interface WeatherSample {
  /** Air temperature at 2 m, °C (0.1). */
  temperatureC: number;
  /** Dew point at 2 m, °C (0.1), never above the temperature. */
  dewPointC: number;
  /** Relative humidity, % (0.1), from temperature and dew point. */
  relativeHumidityPct: number;
  /** Wind speed at 10 m, m/s (0.1). */
  windSpeedMps: number;
  /** Wind direction, degrees (integer, 0..359). */
  windDirectionDeg: number;
  /** Global horizontal irradiance, W/m² (0.1); exactly 0 with the sun below the horizon. */
  shortwaveRadiationWm2: number;
  /** Total cloud cover, % (integer). */
  cloudCoverPct: number;
  /** Precipitation, mm (0.1). */
  precipitationMm: number;
}

/** Perturbations a forecast adds to the truth; zero for observations. */
interface ForecastError {
  temperatureC: number;
  dewPointC: number;
  cloudLogit: number;
  windLog: number;
  directionDeg: number;
  rain: number;
}

const NO_ERROR: ForecastError = {
  temperatureC: 0,
  dewPointC: 0,
  cloudLogit: 0,
  windLog: 0,
  directionDeg: 0,
  rain: 0,
};

const VAR = { temp: 1, tempSlow: 2, cloud: 3, dew: 4, wind: 5, dir: 6, rain: 7, fcst: 8 } as const;
const REGION = 0;
/** Rain rate (mm/h) of a fully wet, overcast hour. */
const RAIN_INTENSITY_MM = 35;
const YEAR_DAYS = 365.2425;
const TWO_PI = 2 * Math.PI;
const DEG = Math.PI / 180;

const locationKeys = new Map<string, number>();

/**
 * Region-wide noise at one (seed, time), shared by every location: cached for the last time asked,
 * because the generators ask for all locations at the same time in a row.
 */
const regional = {
  seed: Number.NaN,
  timeMs: Number.NaN,
  cloud: 0,
  temp: 0,
  tempSlow: 0,
  wind: 0,
  rain: 0,
  dew: 0,
  dir: 0,
};

function regionalAt(seed: number, timeMs: number): typeof regional {
  if (regional.timeMs === timeMs && regional.seed === seed) return regional;
  regional.seed = seed;
  regional.timeMs = timeMs;
  regional.cloud = smoothNoise(seed, REGION + VAR.cloud, timeMs, 18 * HOUR_MS);
  regional.temp = smoothNoise(seed, REGION + VAR.temp, timeMs, 36 * HOUR_MS);
  regional.tempSlow = smoothNoise(seed, REGION + VAR.tempSlow, timeMs, 5 * DAY_MS);
  regional.wind = smoothNoise(seed, REGION + VAR.wind, timeMs, 24 * HOUR_MS);
  regional.rain = smoothNoise(seed, REGION + VAR.rain, timeMs, 24 * HOUR_MS);
  regional.dew = smoothNoise(seed, REGION + VAR.dew, timeMs, 48 * HOUR_MS);
  regional.dir = smoothNoise(seed, REGION + VAR.dir, timeMs, 30 * HOUR_MS);
  return regional;
}

function keyOf(location: WeatherLocation): number {
  let key = locationKeys.get(location.id);
  if (key === undefined) {
    // Keep the low 6 bits free for the variable; 0 is the region-wide stream.
    key = ((hashString(location.id) & 0x00ffffff) | 1) << 6;
    locationKeys.set(location.id, key);
  }
  return key;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Day of year in [0, 365.24) from epoch ms (1 January 1970 is day 0; drift < 1 day). */
function dayOfYear(timeMs: number): number {
  const d = (timeMs / DAY_MS) % YEAR_DAYS;
  return d < 0 ? d + YEAR_DAYS : d;
}

/**
 * Cosine of the solar zenith angle at a place and time (negative at night).
 *
 * @param latitudeDeg - latitude
 * @param longitudeDeg - longitude
 * @param timeMs - epoch milliseconds
 */
export function cosSolarZenith(latitudeDeg: number, longitudeDeg: number, timeMs: number): number {
  const doy = dayOfYear(timeMs);
  const declination = 23.44 * DEG * Math.sin((TWO_PI * (doy - 80)) / YEAR_DAYS);
  const solarHour = (((timeMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS + longitudeDeg / 15;
  const hourAngle = (solarHour - 12) * 15 * DEG;
  const lat = latitudeDeg * DEG;
  return Math.sin(lat) * Math.sin(declination) + Math.cos(lat) * Math.cos(declination) * Math.cos(hourAngle);
}

/**
 * Clear-sky global horizontal irradiance (Haurwitz), W/m²; 0 with the sun below the horizon.
 *
 * @param cosZenith - cosine of the solar zenith angle
 */
export function clearSkyGhi(cosZenith: number): number {
  return cosZenith > 0 ? 1098 * cosZenith * Math.exp(-0.057 / cosZenith) : 0;
}

/**
 * Relative humidity (%) of air at a temperature and dew point (Magnus formula).
 *
 * @param temperatureC - air temperature
 * @param dewPointC - dew point
 */
export function relativeHumidity(temperatureC: number, dewPointC: number): number {
  return Math.min(100, 100 * Math.exp(magnus(dewPointC) - magnus(temperatureC)));
}

function magnus(t: number): number {
  return (17.625 * t) / (243.04 + t);
}

function emptySample(): WeatherSample {
  return {
    temperatureC: 0,
    dewPointC: 0,
    relativeHumidityPct: 0,
    windSpeedMps: 0,
    windDirectionDeg: 0,
    shortwaveRadiationWm2: 0,
    cloudCoverPct: 0,
    precipitationMm: 0,
  };
}

/**
 * Fills `out` with the weather at a location and time. With `full` false only what the grid needs
 * (temperature, wind speed, irradiance, cloud) is computed; those values are identical either way.
 */
function sample(
  location: WeatherLocation,
  timeMs: number,
  seed: number,
  err: ForecastError,
  out: WeatherSample,
  full: boolean,
): WeatherSample {
  const c = location.climate;
  const key = keyOf(location);
  const region = regionalAt(seed, timeMs);
  const doy = dayOfYear(timeMs);
  const season = Math.cos((TWO_PI * (doy - 200)) / YEAR_DAYS); // +1 late July, -1 mid January
  const winterness = (1 - season) / 2;
  const solarHour = (((timeMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS + location.longitudeDeg / 15;
  const diurnal = Math.cos((TWO_PI * (solarHour - 15)) / 24);

  // Clouds: regional systems plus local convection, as a logit mapped to 0..100 %.
  const cloudNoise = 0.75 * region.cloud + 0.5 * smoothNoise(seed, key + VAR.cloud, timeMs, 5 * HOUR_MS);
  const cloudLogit = c.cloudBias + 0.5 * winterness - 0.3 + 2.6 * cloudNoise + err.cloudLogit;
  const cloudCoverPct = Math.round(100 / (1 + Math.exp(-cloudLogit)));
  const cloudFraction = cloudCoverPct / 100;

  // Temperature: season + diurnal cycle (damped by cloud) + synoptic anomaly (stronger in winter).
  const synopticAmplitude = 2.5 + 3 * winterness;
  const anomaly =
    synopticAmplitude *
    (0.6 * region.temp +
      0.35 * region.tempSlow +
      0.3 * smoothNoise(seed, key + VAR.temp, timeMs, 12 * HOUR_MS));
  const temperature =
    c.meanTempC +
    c.seasonalAmplitudeC * season +
    c.diurnalAmplitudeC * (1 - 0.55 * cloudFraction) * diurnal +
    anomaly +
    err.temperatureC;
  const temperatureC = round1(temperature);

  out.temperatureC = temperatureC;
  out.cloudCoverPct = cloudCoverPct;

  // Wind: synoptic gustiness, afternoon mixing, windier in spring.
  const spring = Math.max(0, Math.cos((TWO_PI * (doy - 100)) / YEAR_DAYS));
  const windNoise = 0.6 * region.wind + 0.5 * smoothNoise(seed, key + VAR.wind, timeMs, 8 * HOUR_MS);
  const wind =
    c.meanWindMps *
    (1 + 0.5 * windNoise) *
    (1 + 0.15 * diurnal) *
    (1 + 0.15 * spring) *
    Math.exp(err.windLog);
  out.windSpeedMps = round1(Math.max(0.2, wind));

  // Irradiance: clear sky from the sun angle, attenuated by cloud; exactly 0 at night.
  const ghi = clearSkyGhi(cosSolarZenith(location.latitudeDeg, location.longitudeDeg, timeMs));
  out.shortwaveRadiationWm2 = ghi > 0 ? round1(ghi * (1 - 0.75 * cloudFraction ** 3.4)) : 0;
  if (!full) return out;

  // Precipitation needs thick cloud and a wet spell; wetter climates cross the threshold more often.
  const rainIndex =
    0.55 * smoothNoise(seed, key + VAR.rain, timeMs, 4 * HOUR_MS) +
    0.45 * region.rain +
    0.3 * cloudNoise +
    err.rain;
  const wet = Math.max(0, rainIndex - (0.8 - 0.8 * c.wetness));
  const precipitationMm =
    cloudCoverPct > 70 ? round1(RAIN_INTENSITY_MM * ((cloudCoverPct - 70) / 30) * wet ** 1.5) : 0;
  out.precipitationMm = precipitationMm;

  // Dew point: climate + season + moisture noise, moister in rain, always at or below temperature.
  let dew =
    c.meanDewPointC +
    c.dewSeasonalAmplitudeC * season +
    2.5 * smoothNoise(seed, key + VAR.dew, timeMs, 24 * HOUR_MS) +
    2 * region.dew +
    err.dewPointC;
  if (precipitationMm > 0) dew = Math.max(dew, temperature - 1.5);
  out.dewPointC = Math.min(round1(dew), round1(temperatureC - 0.3));
  out.relativeHumidityPct = round1(relativeHumidity(temperatureC, out.dewPointC));

  const direction =
    170 + 90 * region.dir + 30 * smoothNoise(seed, key + VAR.dir, timeMs, 8 * HOUR_MS) + err.directionDeg;
  out.windDirectionDeg = ((Math.round(direction) % 360) + 360) % 360;
  return out;
}

/**
 * The weather at a location and time: what the weather generator reports as an OBSERVATION and what
 * drives the grid generator's load, wind and solar.
 *
 * @param location - weather location
 * @param timeMs - epoch milliseconds
 * @param seed - generator seed
 */
export function weatherAt(location: WeatherLocation, timeMs: number, seed: number): WeatherSample {
  return sample(location, timeMs, seed, NO_ERROR, emptySample(), true);
}

/**
 * The grid's view of {@link weatherAt}: the same temperature, wind speed, irradiance and cloud cover
 * (other fields are left stale), written into `out` to avoid an allocation per location and interval.
 *
 * @param location - weather location
 * @param timeMs - epoch milliseconds
 * @param seed - generator seed
 * @param out - object to fill
 */
export function weatherDriversAt(
  location: WeatherLocation,
  timeMs: number,
  seed: number,
  out: WeatherSample,
): WeatherSample {
  return sample(location, timeMs, seed, NO_ERROR, out, false);
}

/**
 * A forecast of {@link weatherAt} issued `horizon` hours ahead: the truth plus errors that grow with
 * the horizon (deterministic per issue time, so re-issuing the same forecast gives the same values).
 *
 * @param location - weather location
 * @param targetMs - time the forecast is valid for, epoch ms
 * @param issuedMs - issue time, epoch ms
 * @param seed - generator seed
 */
export function forecastAt(
  location: WeatherLocation,
  targetMs: number,
  issuedMs: number,
  seed: number,
): WeatherSample {
  const horizonHours = Math.max(0, (targetMs - issuedMs) / HOUR_MS);
  const growth = Math.sqrt(horizonHours / 24);
  const base = keyOf(location) + VAR.fcst;
  const at = Math.floor(issuedMs / HOUR_MS) * 1024 + Math.round(horizonHours);
  const err: ForecastError = {
    temperatureC: (0.4 + 1.4 * growth) * hashNormal(seed ^ 0x9e3779b1, base, at),
    dewPointC: (0.5 + 1.2 * growth) * hashNormal(seed ^ 0x3c6ef362, base, at),
    cloudLogit: 0.8 * growth * hashNormal(seed ^ 0xdaa66d13, base, at),
    windLog: (0.08 + 0.15 * growth) * hashNormal(seed ^ 0x78dde6c4, base, at),
    directionDeg: 20 * growth * hashNormal(seed ^ 0x1715609d, base, at),
    rain: 0.2 * growth * hashNormal(seed ^ 0xb54cda56, base, at),
  };
  return sample(location, targetMs, seed, err, emptySample(), true);
}
