#!/usr/bin/env node
// Entry point of the `gridstream` CLI. TypeScript sources run through tsx's loader, so a fresh clone
// needs no build step: `npm install` then `npx gridstream --help`.
import { register } from 'tsx/esm/api';

// `gridstream query ... | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

register();
const { silenceSdkNodeVersionWarning } = await import('../cli/sdkNodeWarning.ts');
silenceSdkNodeVersionWarning();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
