import { readFileSync } from 'node:fs';
import { AVRO_DIR, checkCompatibility, GENERATED_FILE, generateModule } from '../../schemas/index.js';
import type { Command } from '../command.js';

/** `gridstream schemas check`: fails when a schema change would break readers of earlier versions. */
export const command: Command = {
  name: 'schemas check',
  summary: 'Check every schema against its released versions (both directions) and the generated types',
  usage: '[--dir DIR]',
  details: `Each schemas/avro/<dataset>.avsc must be fully compatible with every released version in
schemas/avro/history/<dataset>/vN.avsc: current readers read old data, and old readers read current data.
To release a change, copy the schema to history/<dataset>/v<N+1>.avsc and run gridstream schemas codegen.`,
  options: {
    dir: { type: 'string', valueName: 'DIR', description: 'Folder holding <dataset>.avsc and history/' },
  },
  run(values) {
    const dir = typeof values.dir === 'string' ? `${values.dir.replace(/\/$/, '')}/` : AVRO_DIR;
    let failed = false;
    for (const r of checkCompatibility(dir)) {
      const state = r.released
        ? `released as v${r.latestVersion}`
        : `unreleased change after v${r.latestVersion}`;
      if (r.problems.length === 0) {
        process.stdout.write(`ok    ${r.dataset}: compatible with v1..v${r.latestVersion} (${state})\n`);
      } else {
        failed = true;
        for (const p of r.problems) process.stdout.write(`FAIL  ${r.dataset}: ${p}\n`);
      }
    }
    if (dir === AVRO_DIR && readFileSync(GENERATED_FILE, 'utf8') !== generateModule(dir)) {
      failed = true;
      process.stdout.write('FAIL  schemas/generated.ts is stale: run gridstream schemas codegen\n');
    }
    return failed ? 1 : 0;
  },
};
