import { vi } from 'vitest';

/**
 * JSON lines written to stdout and stderr (Powertools logs: WARN and ERROR go to stderr; EMF metrics)
 * while `fn` ran; the output is kept out of the test report.
 */
export async function captureStdout<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    const result = await fn();
    const lines = chunks
      .join('')
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { result, lines };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** The value of a metric in captured EMF lines (summed over lines; arrays summed). */
export function metricValue(lines: readonly Record<string, unknown>[], name: string): number {
  let total = 0;
  for (const line of lines) {
    if (!('_aws' in line)) continue;
    const v = line[name];
    if (typeof v === 'number') total += v;
    else if (Array.isArray(v)) total += v.reduce((a: number, b: number) => a + b, 0);
  }
  return total;
}
