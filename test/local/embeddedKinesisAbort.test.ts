import { connect } from 'node:net';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { EmbeddedKinesis } from '../../local/EmbeddedKinesis.js';

/** Sends the head and part of the body of a PutRecords, then resets the connection mid-request. */
async function abortMidRequest(endpoint: string): Promise<void> {
  const { hostname, port } = new URL(endpoint);
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n' +
          'X-Amz-Target: Kinesis_20131202.PutRecords\r\nContent-Length: 100000\r\n\r\n{"StreamName":"grid","Records":[',
      );
      // Let the server start reading the body, then go away without finishing it (ECONNRESET).
      setTimeout(() => {
        socket.resetAndDestroy();
        resolve();
      }, 100);
    });
    socket.on('error', reject);
  });
}

describe('EmbeddedKinesis', () => {
  it.each([true, false])(
    'survives a client that resets its connection mid-request (fast GetRecords %s), and serves the next one',
    async (fastGetRecords) => {
      // kinesalite alone rethrows the request's "aborted" error: an uncaught exception in this process.
      const kinesis = await EmbeddedKinesis.start({ fastGetRecords, streams: { grid: 1 } });
      try {
        await abortMidRequest(kinesis.endpoint);
        await new Promise((r) => setTimeout(r, 200));
        const { StreamNames } = await kinesis.client.send(new ListStreamsCommand({}));
        expect(StreamNames).toContain('grid');
      } finally {
        await kinesis.stop();
      }
    },
  );
});
