import { describe, expect, it } from 'vitest';
import {
  formatClock,
  formatProgress,
  type ProgressSnapshot,
  ProgressWriter,
} from '../../loadtest/report/progress.js';

const SNAPSHOT: ProgressSnapshot = {
  elapsedMs: 42_500,
  durationMs: 60_000,
  lost: 0,
  datasets: {
    grid: { stage: 'ramp', askedRate: 1_000, achievedRate: 990, putP99Ms: 23.4, freshnessP99Ms: 4_230 },
    weather: { stage: 'ramp', askedRate: 50, achievedRate: 50, putP99Ms: 31, freshnessP99Ms: 3_100 },
  },
};

/** A stream that records what was written. */
function stream(isTTY: boolean, columns?: number) {
  const written: string[] = [];
  return { isTTY, columns, written, write: (t: string) => written.push(t) };
}

describe('formatProgress', () => {
  it('shows time, stage, rate asked/achieved per dataset, the worst p99s and the loss so far', () => {
    expect(formatProgress(SNAPSHOT)).toBe(
      '0:42/1:00 ramp · grid 1000/990 ev/s · weather 50/50 ev/s · put p99 31 ms · fresh p99 4.2 s · lost 0',
    );
  });

  it('names each dataset stage when they differ, a limit, and — for a measure not known yet', () => {
    const line = formatProgress({
      elapsedMs: 3_725_000,
      lost: 12_345,
      limit: 'generator behind schedule: lag 2.4 s',
      datasets: {
        grid: { stage: 'spike', askedRate: 25_000, achievedRate: 18_250 },
        transactions: { stage: 'steady', askedRate: 100, achievedRate: 100 },
      },
    });
    expect(line).toBe(
      '1:02:05 · grid (spike) 25k/18.3k ev/s · transactions (steady) 100/100 ev/s · put p99 — · ' +
        'fresh p99 — · lost 12,345 · generator behind schedule: lag 2.4 s',
    );
  });

  it('cuts the line to the width given', () => {
    const line = formatProgress(SNAPSHOT, 30);
    expect(line).toHaveLength(30);
    expect(line.endsWith('…')).toBe(true);
  });

  it.each([
    [0, '0:00'],
    [59_999, '0:59'],
    [600_000, '10:00'],
    [86_400_000, '24:00:00'],
  ])('formatClock(%s) is %s', (ms, text) => expect(formatClock(ms)).toBe(text));
});

describe('ProgressWriter', () => {
  it('rewrites one status line in place on a TTY, cut to its columns, and ends it on done', () => {
    const out = stream(true, 40);
    const w = new ProgressWriter({ stream: out });

    w.update(SNAPSHOT);
    w.update({ ...SNAPSHOT, lost: 2 });
    w.log('grid: stage spike');
    w.done();

    expect(w.inPlace).toBe(true);
    expect(out.written[0]).toBe(`\r\x1b[K${formatProgress(SNAPSHOT, 39)}`);
    expect(out.written[1]).toBe(`\r\x1b[K${formatProgress({ ...SNAPSHOT, lost: 2 }, 39)}`);
    expect(out.written[2]).toBe(`\r\x1b[Kgrid: stage spike\n${formatProgress({ ...SNAPSHOT, lost: 2 }, 39)}`);
    expect(out.written[3]).toBe('\n');
    expect(out.written.slice(0, 2).join('')).not.toContain('\n');
  });

  it('writes a plain line at most every N seconds elsewhere, the first at once', () => {
    const out = stream(false);
    let now = 1_000;
    const w = new ProgressWriter({ stream: out, everyMs: 10_000, now: () => now });

    w.update(SNAPSHOT);
    now += 5_000;
    w.update({ ...SNAPSHOT, lost: 1 });
    now += 5_000;
    w.update({ ...SNAPSHOT, lost: 2 });
    w.log('done');
    w.done();

    expect(w.inPlace).toBe(false);
    expect(out.written).toEqual([
      `${formatProgress(SNAPSHOT)}\n`,
      `${formatProgress({ ...SNAPSHOT, lost: 2 })}\n`,
      'done\n',
    ]);
  });
});
