import { describe, expect, it } from 'vitest';
import {
  centralDayStartUtc,
  centralOffsetMs,
  centralWallMs,
  centralWallToUtc,
  isCentralDaylightTime,
  TimeConversionError,
} from '../../../producers/sources/index.js';

const H = 3_600_000;

describe('US Central prevailing time', () => {
  it.each([
    ['2024-01-15T12:00:00Z', -6],
    ['2024-07-15T12:00:00Z', -5],
    // 2024: CDT from 10 March 08:00 UTC to 3 November 07:00 UTC.
    ['2024-03-10T07:59:59Z', -6],
    ['2024-03-10T08:00:00Z', -5],
    ['2024-11-03T06:59:59Z', -5],
    ['2024-11-03T07:00:00Z', -6],
    // 2025: 9 March and 2 November.
    ['2025-03-09T08:00:00Z', -5],
    ['2025-11-02T07:00:00Z', -6],
  ])('at %s the offset is %i h', (iso, hours) => {
    expect(centralOffsetMs(Date.parse(iso))).toBe(hours * H);
    expect(isCentralDaylightTime(Date.parse(iso))).toBe(hours === -5);
  });

  it('converts wall time to UTC on ordinary days', () => {
    expect(centralWallToUtc(Date.UTC(2024, 6, 4, 14, 15))).toBe(Date.parse('2024-07-04T19:15:00Z'));
    expect(centralWallToUtc(Date.UTC(2024, 0, 4, 14, 15))).toBe(Date.parse('2024-01-04T20:15:00Z'));
  });

  it('rejects the skipped hour of the spring-forward day', () => {
    expect(() => centralWallToUtc(Date.UTC(2024, 2, 10, 2, 30))).toThrow(TimeConversionError);
    expect(() => centralWallToUtc(Date.UTC(2024, 2, 10, 2, 30))).toThrow(/2024-03-10 02:30 does not exist/);
    expect(centralWallToUtc(Date.UTC(2024, 2, 10, 1, 45))).toBe(Date.parse('2024-03-10T07:45:00Z'));
    expect(centralWallToUtc(Date.UTC(2024, 2, 10, 3, 0))).toBe(Date.parse('2024-03-10T08:00:00Z'));
  });

  it('maps the repeated hour of the fall-back day to CDT, or CST when flagged', () => {
    const wall = Date.UTC(2024, 10, 3, 1, 30);
    expect(centralWallToUtc(wall)).toBe(Date.parse('2024-11-03T06:30:00Z'));
    expect(centralWallToUtc(wall, true)).toBe(Date.parse('2024-11-03T07:30:00Z'));
    // Outside the repeated hour the flag changes nothing.
    expect(centralWallToUtc(Date.UTC(2024, 10, 3, 3, 0), true)).toBe(Date.parse('2024-11-03T09:00:00Z'));
  });

  it('round-trips instants through wall time', () => {
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 7 * H + 900_000) {
      const wall = centralWallMs(t);
      const repeated = centralWallToUtc(wall) !== t;
      expect(centralWallToUtc(wall, repeated)).toBe(t);
    }
  });

  it('has 23- and 25-hour local days at the changes', () => {
    const day = (y: number, m: number, d: number) => Math.floor(Date.UTC(y, m, d) / 86_400_000);
    const length = (y: number, m: number, d: number) =>
      (centralDayStartUtc(day(y, m, d) + 1) - centralDayStartUtc(day(y, m, d))) / H;
    expect(length(2024, 2, 10)).toBe(23);
    expect(length(2024, 10, 3)).toBe(25);
    expect(length(2024, 6, 4)).toBe(24);
  });
});
