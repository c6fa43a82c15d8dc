import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractFor } from '../../schemas/index.js';
import { ParquetWriter } from '../../stream-processors/delivery/ParquetWriter.js';
import { createScratchDir } from '../../stream-processors/delivery/scratchDir.js';
import { gridEvent } from '../helpers/events.js';
import { tempDir } from '../helpers/tempDir.js';

describe('delivery scratch folder', () => {
  it('is a new private folder, and folders of dead processes are removed while live ones stay', async () => {
    const base = tempDir('scratch');
    // A pid that cannot be alive (above Linux's pid_max limit) and our own parent, which is alive.
    const dead = join(base, 'gridstream-delivery-4194305-abc');
    const live = join(base, `gridstream-delivery-${process.ppid}-def`);
    const other = join(base, 'unrelated');
    for (const d of [dead, live, other]) mkdirSync(d);
    writeFileSync(join(dead, 'batch-1.ndjson'), '{}\n');
    const path = await createScratchDir(base);
    expect(path.startsWith(join(base, `gridstream-delivery-${process.pid}-`))).toBe(true);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });

  it('ParquetWriter.writeLines converts through it and leaves nothing behind; close() removes it', async () => {
    const base = tempDir('scratch-writer');
    const writer = await ParquetWriter.create({ scratchParent: base });
    const [scratch] = readdirSync(base);
    expect(scratch).toMatch(/^gridstream-delivery-/);
    const events = [gridEvent(), gridEvent()];
    const out = join(tempDir('scratch-out'), 'x.parquet');
    await writer.writeLines(
      contractFor('grid'),
      events.map((e) => Buffer.from(`${JSON.stringify(e)}\n`)),
      out,
    );
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(join(base, scratch!))).toEqual([]);
    writer.close();
    expect(readdirSync(base)).toEqual([]);
  });
});
