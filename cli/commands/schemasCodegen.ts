import { writeFileSync } from 'node:fs';
import { GENERATED_FILE, generateModule } from '../../schemas/index.js';
import type { Command } from '../command.js';

/** `gridstream schemas codegen`: regenerates the TypeScript types from the Avro schemas. */
export const command: Command = {
  name: 'schemas codegen',
  summary: 'Regenerate schemas/generated.ts (schema constants and event types) from schemas/avro/*.avsc',
  usage: '',
  options: {},
  run() {
    writeFileSync(GENERATED_FILE, generateModule());
    process.stdout.write('wrote schemas/generated.ts\n');
    return 0;
  },
};
