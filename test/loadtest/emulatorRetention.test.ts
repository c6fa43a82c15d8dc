import { describe, expect, it } from 'vitest';
import { emulatorRetentionMb } from '../../loadtest/run/runScenario.js';
import { loadScenario } from '../../loadtest/scenario/loadScenario.js';

describe('the embedded emulator retention of a load run', () => {
  it('holds ten minutes of the peak (or the whole profile) so a lagging delivery never has records trimmed', () => {
    // smoke: ~25k events of ~500 B — far below the floor
    expect(emulatorRetentionMb(loadScenario('smoke'))).toBe(64);
    // steady-20k: 10 minutes of 20k events/s ≈ 6 GB → a quarter (the emulator holds 4× unread)
    const steady = emulatorRetentionMb(loadScenario('steady-20k'));
    expect(steady).toBeGreaterThan(1000);
    expect(steady).toBeLessThanOrEqual(2048);
    // knee: up to 100k events/s, capped at 2 GiB (8 GiB unread)
    expect(emulatorRetentionMb(loadScenario('knee'))).toBe(2048);
  });
});
