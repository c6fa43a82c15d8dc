import { vi } from 'vitest';
import { main } from '../../cli/main.js';

/** What {@link runCliInProcess} collected. */
export interface CliResult {
  /** main()'s exit code. */
  readonly code: number;
  /** Everything written to stdout. */
  readonly out: string;
  /** Everything written to stderr. */
  readonly err: string;
}

/**
 * Runs the gridstream CLI's `main` in this process with stdout and stderr captured (not printed).
 *
 * @param args - the command line, without `node` and the script
 */
export async function runCliInProcess(args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await main(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
