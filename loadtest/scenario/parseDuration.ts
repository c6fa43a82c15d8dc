const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/gy;

/**
 * Reads a scenario duration: a number of seconds, or a string of number-unit parts (`250ms`, `30s`,
 * `5m`, `1h30m`, `2d`).
 *
 * @param value - the value from the scenario file
 * @returns milliseconds, or undefined when the value is not a duration
 * @example
 * ```ts
 * parseDuration('1h30m'); // 5_400_000
 * parseDuration(2.5);     // 2_500
 * ```
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string' || value.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let at = 0;
  for (let m = PART.exec(value); m !== null; m = PART.exec(value)) {
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    at = PART.lastIndex;
  }
  return at === value.length ? total : undefined;
}

/**
 * Formats milliseconds the way scenarios write durations (`1h30m`, `45s`, `250ms`).
 *
 * @param ms - milliseconds
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, s] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rest >= s) {
      parts.push(`${Math.floor(rest / s)}${unit}`);
      rest %= s;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join('');
}
