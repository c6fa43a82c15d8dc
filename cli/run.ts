// The compiled CLI's entry: bin/gridstream.js imports it once dist/ is current (the container image runs
// it directly). Reads the command line from process.argv and sets the exit code.

import { silenceSdkNodeVersionWarning } from '../common/sdkNodeWarning.js';
import { main } from './main.js';

// `gridstream query ... | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// Before any command runs: main loads each command lazily, and the AWS SDK warns when it is loaded.
silenceSdkNodeVersionWarning();
process.exitCode = await main(process.argv.slice(2));
