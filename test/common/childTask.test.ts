import { describe, expect, it } from 'vitest';
import { ChildTaskError, runChildTask, siblingModule } from '../../common/childTask.js';

const entry = siblingModule(new URL('./fixtures/', import.meta.url).href, 'childTaskEntry');

describe('runChildTask', () => {
  it('runs the task in another process and returns its value as JSON', async () => {
    const value = { rows: 3, files: ['a.parquet'], nested: { ok: true } };
    expect(await runChildTask(entry, { mode: 'echo', value }, 'echo')).toEqual(value);
    const pid = await runChildTask<{ mode: 'pid' }, number>(entry, { mode: 'pid' }, 'pid');
    expect(pid).not.toBe(process.pid);
  });

  it("rejects with the child's error: its name, message and code", async () => {
    const err = await runChildTask(entry, { mode: 'throw' }, 'compaction').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildTaskError);
    expect((err as ChildTaskError).code).toBe('EROFS');
    expect((err as Error).message).toMatch(
      /^compaction \(child process \d+\) failed: Error: read-only file system/,
    );
  });

  it('rejects, naming the exit code, when the child exits without an answer', async () => {
    const err = await runChildTask(entry, { mode: 'exit' }, 'compaction').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildTaskError);
    expect((err as Error).message).toMatch(
      /compaction: its child process \d+ exited with code 3 without an answer/,
    );
  });

  it('finds the TypeScript module beside a caller that runs from source', () => {
    expect(entry.pathname.endsWith('/fixtures/childTaskEntry.ts')).toBe(true);
  });
});
