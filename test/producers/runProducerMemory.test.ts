import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { PutOutcome, SinkCounters } from '../../producers/kinesis/types.js';
import { runProducer } from '../../producers/runProducer.js';
import { createGenerator } from '../../producers/sources/index.js';
import type { EventSink } from '../../producers/types.js';

// `gridstream up` runs its producers with an AbortSignal for hours: whatever a put leaves behind per
// event must be collectable once the put is done, or the heap grows with every event.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('runProducer with a signal', () => {
  it('keeps nothing of a finished put alive (no reaction per event on a long-lived promise)', async () => {
    // Prepare: a sink that accepts at once and hands out outcomes we can watch
    const outcomes: WeakRef<object>[] = [];
    const sink: EventSink<'grid'> = {
      dataset: 'grid',
      counters: {} as SinkCounters,
      async put() {
        const outcome: PutOutcome = { accepted: true } as PutOutcome;
        outcomes.push(new WeakRef(outcome));
        return outcome;
      },
      async flush() {},
    };
    const controller = new AbortController();
    // Act: 2,000 events with the signal never aborted (as in `up` until Ctrl-C)
    const result = await runProducer({
      generator: createGenerator('grid', { seed: 1 }),
      sink,
      count: 2_000,
      signal: controller.signal,
    });
    gc();
    await nextTurn();
    gc();
    // Assert
    expect(result.accepted).toBe(2_000);
    const alive = outcomes.filter((w) => w.deref() !== undefined).length;
    expect(alive, 'put outcomes still reachable after the loop').toBeLessThan(10);
    controller.abort(); // the signal lived through the whole check
  });
});
