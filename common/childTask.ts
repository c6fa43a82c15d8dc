import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GridstreamError } from './errors.js';

/**
 * Runs one task in a short-lived child process and returns its answer. A long-running process (`up`)
 * hands memory-hungry native work (a DuckDB compaction) to a child so that the memory the work
 * needed goes back to the system when the child exits: native allocators keep their high-water mark
 * for the life of a process, and a process that must stay flat for days cannot afford a step per run.
 *
 * The child is `node` on `entry` (a module that calls {@link serveChildTask}), with tsx's loader when
 * the entry is TypeScript source (tests, `npm run` scripts) and without it when it is compiled
 * (`dist/`, the CLI). The input and the answer travel over the IPC channel as JSON: plain data only.
 * The child ignores SIGINT (a Ctrl-C in the terminal reaches the whole process group; the parent
 * decides), so a run in flight completes as it would in process.
 */

/** Failure of a child task: what the child threw (name, message, `code`), or how it died. */
export class ChildTaskError extends GridstreamError {
  /** The child error's `code` (e.g. `EROFS`), when it had one. */
  public readonly code: string | undefined;

  /**
   * @param message - what went wrong
   * @param code - the child error's code
   */
  public constructor(message: string, code?: string) {
    super(message);
    this.name = 'ChildTaskError';
    this.code = code;
  }
}

interface ChildAnswer {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: { readonly name: string; readonly message: string; readonly code?: string };
}

/**
 * The module `name` beside the calling module: `name.js` when the caller runs compiled, else
 * `name.ts` (the caller runs from source under tsx or vitest).
 *
 * @param callerUrl - the caller's `import.meta.url`
 * @param name - module name without extension
 */
export function siblingModule(callerUrl: string, name: string): URL {
  const js = new URL(`./${name}.js`, callerUrl);
  return existsSync(fileURLToPath(js)) ? js : new URL(`./${name}.ts`, callerUrl);
}

/**
 * Forks `entry`, sends it `input`, and resolves with the value its handler returned.
 *
 * @param entry - the child module (see {@link siblingModule})
 * @param input - JSON-serialisable input of the handler
 * @param label - names the task in errors, e.g. `compaction`
 * @returns the handler's value
 * @throws ChildTaskError with the child's error (name, message, code), or when it exits without answering
 */
export function runChildTask<I, O>(entry: URL, input: I, label: string): Promise<O> {
  // tsx is a devDependency: only source entries need it, and only source checkouts run them.
  const execArgv = entry.pathname.endsWith('.ts')
    ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
    : [];
  return new Promise<O>((resolve, reject) => {
    let answer: ChildAnswer | undefined;
    const child = fork(fileURLToPath(entry), [], {
      execArgv,
      serialization: 'json',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (message) => {
      answer = message as ChildAnswer;
    });
    child.on('error', (err) =>
      reject(new ChildTaskError(`${label}: could not start its child process: ${err.message}`)),
    );
    child.on('exit', (code, signal) => {
      if (answer?.ok) resolve(answer.value as O);
      else if (answer?.error)
        reject(
          new ChildTaskError(
            `${label} (child process ${child.pid}) failed: ${answer.error.name}: ${answer.error.message}`,
            answer.error.code,
          ),
        );
      else
        reject(
          new ChildTaskError(
            `${label}: its child process ${child.pid} exited ${signal ? `on ${signal}` : `with code ${code}`} ` +
              'without an answer',
          ),
        );
    });
    child.send({ input });
  });
}

/**
 * The child side of {@link runChildTask}: waits for the input, runs `handler`, sends its value (or
 * its error) back and exits.
 *
 * @param handler - the task
 */
export function serveChildTask<I, O>(handler: (input: I) => Promise<O>): void {
  process.on('SIGINT', () => {});
  process.once('message', (message) => {
    const { input } = message as { input: I };
    const reply = (answer: ChildAnswer): void => {
      process.send?.(answer, () => process.exit(0));
    };
    handler(input).then(
      (value) => reply({ ok: true, value }),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        const code = (e as { code?: unknown }).code;
        reply({
          ok: false,
          error: { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) },
        });
      },
    );
  });
}
