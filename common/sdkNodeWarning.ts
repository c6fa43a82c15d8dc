/**
 * Drops the AWS SDK's warning that its future releases need Node 22 (gridstream supports Node 20 with
 * the pinned SDK); every other warning is emitted as before. For the CLI and the benchmarks, whose
 * output is read by people and tables.
 */
export function silenceSdkNodeVersionWarning(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning?.message;
    const first = rest[0];
    const type = typeof first === 'string' ? first : (first as { type?: string } | undefined)?.type;
    if (type === 'NodeVersionSupportWarning' || String(text).includes('will require node >=22')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
