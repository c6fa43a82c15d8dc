import { KafkaConfigError } from './errors.js';

/**
 * Parses a broker list: `host:port` separated by commas (spaces allowed).
 *
 * @param text - e.g. `127.0.0.1:9092,b-2.example:9098`
 * @returns the brokers, in order
 * @throws KafkaConfigError naming the entry that is not host:port with a port from 1 to 65535
 */
export function parseBrokers(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const b = raw.trim();
    if (b === '') continue;
    const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(b);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) {
      throw new KafkaConfigError(`broker ${JSON.stringify(b)} is not host:port (e.g. 127.0.0.1:9092)`);
    }
    out.push(b);
  }
  if (out.length === 0)
    throw new KafkaConfigError(`no broker in ${JSON.stringify(text)} (expected host:port,…)`);
  return out;
}
