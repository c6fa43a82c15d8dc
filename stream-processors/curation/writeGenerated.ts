// Regenerates the files derived from the pipeline and the contracts:
//   sql/curated/tables.json              output schema of every curated/gold table
//   sql/curated/pipeline.rendered.json   every step rendered for DuckDB and Spark (the Glue job runs it)
//   sql/athena/ddl/*.sql                 CREATE EXTERNAL TABLE of every raw, curated and gold table
// Run: npx tsx stream-processors/curation/writeGenerated.ts  (a test fails while they are stale)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generatedFiles } from './generatedFiles.js';

for (const [path, text] of await generatedFiles()) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stdout.write(`wrote ${path}\n`);
}
