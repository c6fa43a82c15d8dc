import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../schemas/generated.js';
import { GENERATED_FILE, generateModule, readCurrentSchema } from '../../schemas/index.js';

describe('generated TypeScript types', () => {
  it('schemas/generated.ts is up to date with schemas/avro/*.avsc (run gridstream schemas codegen)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(generateModule());
  });

  it('embeds exactly the .avsc schemas', () => {
    for (const d of ['grid', 'weather', 'transactions'] as const) {
      expect(SCHEMAS[d]).toEqual(readCurrentSchema(d));
    }
  });

  it('types optional fields as nullable and enums as their symbols', () => {
    const src = generateModule();
    expect(src).toContain("status: 'NEW' | 'AMEND' | 'CANCEL';");
    expect(src).toContain('lmp_usd_mwh: number | null;');
    expect(src).toContain('event_time: number;');
  });
});
