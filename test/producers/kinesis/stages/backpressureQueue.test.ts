import { describe, expect, it } from 'vitest';
import { BackpressureQueue } from '../../../../producers/kinesis/BackpressureQueue.js';
import type { SinkCounters } from '../../../../producers/kinesis/types.js';
import { hasSettled } from './stageFixtures.js';

describe('BackpressureQueue', () => {
  it('reserves up to the record limit exactly, then makes put() wait until a release makes room', async () => {
    // Prepare
    const queue = new BackpressureQueue({ maxBytes: 1_000_000, maxRecords: 3 });
    // Act
    const reserved = [queue.tryReserve(10), queue.tryReserve(10), queue.tryReserve(10), queue.tryReserve(10)];
    const waiting = queue.wait(10);
    const blockedBefore = queue.gauges.blockedPuts;
    const settledBefore = await hasSettled(waiting);
    queue.release(1, 10);
    // Assess
    expect(reserved).toEqual([true, true, true, false]);
    expect(blockedBefore).toBe(1);
    expect(settledBefore).toBe(false);
    expect(await hasSettled(waiting)).toBe(true);
    expect(queue.gauges).toMatchObject({ bufferedRecords: 3, bufferedBytes: 30, blockedPuts: 0 });
  });

  it('reserves up to the byte limit exactly (a record that lands on the limit fits, one byte more waits)', () => {
    const queue = new BackpressureQueue({ maxBytes: 100, maxRecords: 1_000 });
    expect(queue.tryReserve(60)).toBe(true);
    expect(queue.tryReserve(41)).toBe(false);
    expect(queue.tryReserve(40)).toBe(true);
    expect(queue.gauges).toMatchObject({
      bufferedBytes: 100,
      peakBufferedBytes: 100,
      peakBufferedRecords: 2,
    });
  });

  it('admits any record into an empty buffer, however large, so nothing waits forever', async () => {
    const queue = new BackpressureQueue({ maxBytes: 100, maxRecords: 10 });
    expect(queue.tryReserve(500)).toBe(true);
    const next = queue.wait(500);
    queue.release(1, 500);
    expect(await hasSettled(next)).toBe(true);
    expect(queue.gauges.bufferedBytes).toBe(500);
  });

  it('admits waiters in arrival order: a small record never overtakes a large one', async () => {
    // Prepare: full buffer, a large waiter then a small one
    const queue = new BackpressureQueue({ maxBytes: 100, maxRecords: 100 });
    queue.tryReserve(50);
    queue.tryReserve(40);
    const order: string[] = [];
    const large = queue.wait(80).then(() => order.push('large'));
    const small = queue.wait(5).then(() => order.push('small'));
    // Act 1: room for the small one only; and a fresh put does not jump the queue either
    queue.release(1, 40);
    const jumped = queue.tryReserve(1);
    await hasSettled(small);
    // Assess 1
    expect(jumped).toBe(false);
    expect(order).toEqual([]);
    // Act 2: the buffer empties; both fit now, in order
    queue.release(1, 50);
    await Promise.all([large, small]);
    // Assess 2
    expect(order).toEqual(['large', 'small']);
    expect(queue.gauges).toMatchObject({ bufferedRecords: 2, bufferedBytes: 85, blockedPuts: 0 });
  });

  it('tracks peaks that never pass the limits while puts wait', async () => {
    const queue = new BackpressureQueue({ maxBytes: 50, maxRecords: 1_000 });
    const admitted: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) if (!queue.tryReserve(10)) admitted.push(queue.wait(10));
    expect(queue.gauges.blockedPuts).toBe(15);
    for (let i = 0; i < 15; i++) queue.release(1, 10);
    await Promise.all(admitted);
    expect(queue.gauges).toMatchObject({ peakBufferedBytes: 50, peakBufferedRecords: 5, blockedPuts: 0 });
    expect(queue.waiting).toBe(0);
  });

  it('resolves drained() when the last record leaves, and at once when the buffer is empty', async () => {
    const queue = new BackpressureQueue({ maxBytes: 100, maxRecords: 10 });
    expect(await hasSettled(queue.drained())).toBe(true);
    queue.tryReserve(10);
    queue.tryReserve(10);
    const drained = queue.drained();
    queue.release(1, 10);
    expect(await hasSettled(drained)).toBe(false);
    queue.release(1, 10);
    expect(await hasSettled(drained)).toBe(true);
  });

  it('turns every waiter away with the given error and clears the blocked gauge', async () => {
    const queue = new BackpressureQueue({ maxBytes: 100, maxRecords: 1 });
    queue.tryReserve(10);
    const waiters = [queue.wait(10), queue.wait(10)];
    const stopped = new Error('stopped');
    queue.rejectWaiting(stopped);
    const outcomes = await Promise.allSettled(waiters);
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status))).toEqual([stopped, stopped]);
    expect(queue.gauges.blockedPuts).toBe(0);
    expect(queue.waiting).toBe(0);
  });

  it('keeps the gauges in the object it is given (the sink passes its live counters)', () => {
    const counters = { sent: 7 } as SinkCounters;
    const queue = new BackpressureQueue({ maxBytes: 100, maxRecords: 10 }, counters);
    queue.tryReserve(42);
    expect(counters).toMatchObject({ sent: 7, bufferedRecords: 1, bufferedBytes: 42, peakBufferedBytes: 42 });
  });
});
