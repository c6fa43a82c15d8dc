import { randomBytes } from 'node:crypto';

/**
 * A fresh KRaft cluster id: 16 random bytes, base64url without padding, never starting with `-`. Kafka's
 * own `Uuid.randomUuid()` draws again in that case too: StorageTool's argument parser reads
 * `-t -Xy…` as a missing value and another option, so one format in 64 would fail.
 *
 * @param random - source of the 16 bytes (tests pin it)
 * @returns the id for `StorageTool format -t`
 */
export function kraftClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
