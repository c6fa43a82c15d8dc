#!/usr/bin/env node
// Entry point of the `gridstream` CLI. TypeScript sources run through tsx's loader, so a fresh clone
// needs no build step: `npm install` then `npx gridstream --help`.
import { register } from 'tsx/esm/api';

// The AWS SDK warns that future releases need Node 22; gridstream supports Node 20 with the pinned SDK.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === 'string' ? warning : warning?.message;
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'NodeVersionSupportWarning' || String(text).includes('will require node >=22')) return;
  emitWarning(warning, ...rest);
};

// `gridstream query ... | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
