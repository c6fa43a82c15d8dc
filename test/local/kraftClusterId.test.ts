import { describe, expect, it } from 'vitest';
import { kraftClusterId } from '../../local/kafka/index.js';

describe('kraftClusterId', () => {
  it('never starts with "-" (StorageTool would read it as an option): it draws again', () => {
    // Prepare: the first draw encodes to "-…" (0xf8 = 111110xx: base64url 62), the second does not
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x00)];
    let calls = 0;
    // Act
    const id = kraftClusterId(() => draws[calls++]!);
    // Assess
    expect(Buffer.alloc(16, 0xf8).toString('base64url')).toMatch(/^-/);
    expect(calls).toBe(2);
    expect(id).toBe('AAAAAAAAAAAAAAAAAAAAAA');
  });

  it('is 22 base64url characters, different on every call', () => {
    const ids = new Set(Array.from({ length: 200 }, () => kraftClusterId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
