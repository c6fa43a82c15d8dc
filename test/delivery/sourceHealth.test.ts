// SourceHealth decides how long Kinesis failures are retried; a fake clock and sleep make an hour-long
// outage take no time.
import { describe, expect, it } from 'vitest';
import { createRetrier, RETRY_TEST_DEFAULTS } from '../../common/retry/index.js';
import { SourceHealth, SourceUnreachableError } from '../../stream-processors/delivery/index.js';

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
}

function setup(policy: { giveUpAfterMs: number; neverReachedGiveUpMs: number }) {
  const clock = { t: 1_000_000 };
  const now = (): number => clock.t;
  const retrier = createRetrier({
    ...RETRY_TEST_DEFAULTS,
    maxBackoffMs: 5_000,
    maxRetryTimeMs: 300_000,
    sleep: async (ms) => {
      clock.t += ms;
    },
    clock: { now },
  });
  return { clock, retrier, health: new SourceHealth(now, policy) };
}

describe('SourceHealth', () => {
  it('keeps retrying an outage far longer than the retrier budget when it never gives up, then answers', async () => {
    // Prepare
    const { clock, retrier, health } = setup({
      giveUpAfterMs: Number.POSITIVE_INFINITY,
      neverReachedGiveUpMs: 30_000,
    });
    await health.call(retrier, undefined, async () => 'ok');
    const outageEnds = clock.t + 3_600_000;
    let seen: { ms: number; error: string | undefined } | undefined;
    // Act
    const r = await health.call(retrier, undefined, async () => {
      if (clock.t < outageEnds) {
        if (clock.t > outageEnds - 10_000) seen ??= { ms: health.unreachableMs, error: health.lastError };
        throw refused();
      }
      return 'answered';
    });
    // Assess
    expect(r).toBe('answered');
    expect(seen?.ms).toBeGreaterThan(3_500_000);
    expect(seen?.error).toBe('ECONNREFUSED');
    expect(health.unreachableMs).toBe(0);
    expect(health.lastError).toBeUndefined();
  });

  it('gives up after the bounded limit with the last error once Kinesis had answered', async () => {
    const { retrier, health } = setup({ giveUpAfterMs: 60_000, neverReachedGiveUpMs: 30_000 });
    await health.call(retrier, undefined, async () => 'ok');
    const err = await health
      .call(retrier, undefined, async () => {
        throw refused();
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceUnreachableError);
    expect(err).toMatchObject({ reached: true, retriable: false });
    expect((err as SourceUnreachableError).unreachableMs).toBeGreaterThanOrEqual(60_000);
    expect((err as Error).message).toContain('ECONNREFUSED');
  });

  it('fails fast when Kinesis never answered since the start', async () => {
    const { retrier, health } = setup({
      giveUpAfterMs: Number.POSITIVE_INFINITY,
      neverReachedGiveUpMs: 30_000,
    });
    const err = await health
      .call(retrier, undefined, async () => {
        throw refused();
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SourceUnreachableError', reached: false });
    expect((err as SourceUnreachableError).unreachableMs).toBeLessThan(40_000);
  });

  it('does not retry a non-retriable error, and stops on abort', async () => {
    const { retrier, health } = setup({
      giveUpAfterMs: Number.POSITIVE_INFINITY,
      neverReachedGiveUpMs: 30_000,
    });
    let calls = 0;
    const notFound = Object.assign(new Error('no such stream'), { name: 'ResourceNotFoundException' });
    await expect(
      health.call(retrier, undefined, async () => {
        calls++;
        throw notFound;
      }),
    ).rejects.toBe(notFound);
    expect(calls).toBe(1);
    const controller = new AbortController();
    const stopped = health.call(retrier, controller.signal, async (attempt) => {
      if (attempt === 3) controller.abort();
      throw refused();
    });
    await expect(stopped).rejects.toMatchObject({ name: 'RetriesExhaustedError' });
  });
});
