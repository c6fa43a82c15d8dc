import { DescribeStreamCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { EmbeddedKinesis } from '../../local/EmbeddedKinesis.js';

/** What delivery tells a stream's incarnations apart by: its creation time and its shards' first sequence numbers. */
async function incarnation(
  kinesis: EmbeddedKinesis,
  name: string,
): Promise<{ createdMs: number; starts: string[] }> {
  const d = await kinesis.client.send(new DescribeStreamCommand({ StreamName: name }));
  return {
    createdMs: d.StreamDescription!.StreamCreationTimestamp!.getTime(),
    starts: d.StreamDescription!.Shards!.map((s) => s.SequenceNumberRange!.StartingSequenceNumber!),
  };
}

describe('EmbeddedKinesis: a stream of one name in emulators one after the other', () => {
  it('is a new incarnation each time, even when the first emulator lived for only milliseconds', async () => {
    // Prepare: an emulator that creates `grid` and stops at once (as a short `up` or `seed` run would)
    const first = await EmbeddedKinesis.start({ streams: { grid: 2 } });
    const before = await incarnation(first, 'grid');
    await first.stop();
    // Act: the next emulator creates `grid` right away
    const second = await EmbeddedKinesis.start({ streams: { grid: 2 } });
    try {
      const after = await incarnation(second, 'grid');
      // Assess: a lake's checkpoints of the first stream can never be taken for the second's
      expect(after.createdMs).toBeGreaterThan(before.createdMs);
      for (const s of after.starts) expect(before.starts).not.toContain(s);
    } finally {
      await second.stop();
    }
  });
});
