import { describe, expect, it } from 'vitest';
import { fargateCost } from '../../../loadtest/ecs/index.js';
import { loadPrices } from '../../../loadtest/model/costModel.js';

describe('fargateCost (loadtest/prices.json)', () => {
  const prices = loadPrices();

  it("prices load-worker tasks per vCPU-hour and GB-hour, as docs/DEPLOY.md's producer line does", () => {
    // DEPLOY.md: 1 task × (0.5 × 0.04048 + 1 × 0.004445) × 720 ≈ 18 USD/month.
    const producer = fargateCost(prices, { tasks: 1, cpu: 512, memoryMiB: 1024, seconds: 720 * 3600 });
    expect(producer.total).toBeCloseTo(720 * (0.5 * 0.04048 + 0.004445), 6);
    // The default load worker (1 vCPU, 2 GB), eight of them for a quarter of an hour.
    const run = fargateCost(prices, { tasks: 8, cpu: 1024, memoryMiB: 2048, seconds: 900 });
    expect(run.perTaskHour).toBeCloseTo(0.04048 + 2 * 0.004445, 9);
    expect(run.perHour).toBeCloseTo(8 * 0.04937, 9);
    expect(run.total).toBeCloseTo(run.perHour / 4, 9);
    expect(run).toMatchObject({ asOf: prices.as_of, region: 'us-east-1', currency: 'USD' });
  });

  it('bills at least a minute per task, and storage beyond the included 20 GB', () => {
    const short = fargateCost(prices, { tasks: 2, cpu: 1024, memoryMiB: 2048, seconds: 5 });
    expect(short.total).toBeCloseTo((short.perHour * 60) / 3600, 12);
    const big = fargateCost(prices, {
      tasks: 1,
      cpu: 1024,
      memoryMiB: 2048,
      seconds: 3600,
      ephemeralStorageGiB: 50,
    });
    expect(big.perTaskHour - short.perTaskHour).toBeCloseTo(30 * 0.000111, 12);
  });
});
