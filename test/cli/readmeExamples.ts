/**
 * Finds the `gridstream …` example commands of a Markdown file and rewrites them to run briefly (see
 * readmeExamples.test.ts, which runs README.md's).
 *
 * @module
 */

/** One example command found in a Markdown code block. */
export interface ReadmeExample {
  /** 1-based line of the Markdown file where the command starts. */
  readonly line: number;
  /** The command as written (continuation lines joined, prompt and trailing comment removed). */
  readonly command: string;
  /** The gridstream subcommand, e.g. `produce` or `schemas check`. */
  readonly subcommand: string;
  /** Variables set by `export` lines above it in the same code block. */
  readonly env: Readonly<Record<string, string>>;
  /** Exit code the example documents with a trailing `# exit N` comment. @default 0 */
  readonly exitCode: number;
  /** Why it is not run, from a trailing `# not run: <reason>` comment. */
  readonly notRun?: string;
}

/** Info strings of fenced blocks that hold shell commands; other blocks (synopses, code) are not examples. */
const SHELL_BLOCKS = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);
/** `VAR=value ` assignments before the command word. */
const ASSIGNMENTS = String.raw`(?:[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|\S+)\s+)*`;
const COMMAND = new RegExp(String.raw`^(${ASSIGNMENTS})(?:npx\s+)?gridstream(?:\s+|$)(.*)$`);
const SUBCOMMANDS_WITH_TWO_WORDS = new Set(['schemas']);

/**
 * Splits a shell line into its code and its trailing comment: a `#` at the start or after white space,
 * outside quotes.
 */
function splitComment(line: string): { code: string; comment: string | undefined } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return { code: line.slice(0, i).trimEnd(), comment: line.slice(i + 1).trim() };
    }
  }
  return { code: line, comment: undefined };
}

/** The words of `export A=1 B="x y"` as variables; undefined when the line is not an export. */
function parseExport(code: string): Record<string, string> | undefined {
  const m = /^export\s+(.*)$/.exec(code);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const a of m[1]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|(\S*))/g)) {
    out[a[1]!] = a[3] ?? a[4] ?? a[5] ?? '';
  }
  return out;
}

/**
 * Every `gridstream …` / `npx gridstream …` command in the fenced shell code blocks (```sh, bash,
 * shell, console) of a Markdown text, in order. Lines ending in `\` continue on the next line; a `$ `
 * prompt is dropped; `export` lines set variables for the rest of their block. A trailing comment
 * `# exit N` documents a non-zero exit code; `# not run: <reason>` excludes the example from the run.
 *
 * @param markdown - the Markdown text
 */
export function extractExamples(markdown: string): ReadmeExample[] {
  const lines = markdown.split('\n');
  const out: ReadmeExample[] = [];
  let fence: string | undefined;
  let shell = false;
  let env: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const fenceMatch = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(raw);
    if (fenceMatch && (fence === undefined || fenceMatch[1]!.startsWith(fence))) {
      if (fence === undefined) {
        fence = fenceMatch[1]!;
        shell = SHELL_BLOCKS.has(fenceMatch[2]!.toLowerCase());
        env = {};
      } else {
        fence = undefined;
        shell = false;
      }
      continue;
    }
    if (!fence || !shell) continue;
    const start = i + 1;
    let text = raw.trim();
    while (text.endsWith('\\') && i + 1 < lines.length) {
      text = `${text.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
    }
    text = text.replace(/^\$\s+/, '');
    const { code, comment } = splitComment(text);
    const exported = parseExport(code);
    if (exported) {
      env = { ...env, ...exported };
      continue;
    }
    const m = COMMAND.exec(code);
    if (!m) continue;
    const words = m[2]!.split(/\s+/).filter(Boolean);
    const first = words[0] ?? '';
    const subcommand =
      SUBCOMMANDS_WITH_TWO_WORDS.has(first) && words[1] && !words[1].startsWith('-')
        ? `${first} ${words[1]}`
        : first;
    const exit = comment === undefined ? undefined : /^exit\s+(\d+)\b/.exec(comment);
    const notRun = comment === undefined ? undefined : /^not run:\s*(.+)$/.exec(comment);
    out.push({
      line: start,
      command: code,
      subcommand,
      env: { ...env },
      exitCode: exit ? Number(exit[1]) : 0,
      ...(notRun ? { notRun: notRun[1]!.trim() } : {}),
    });
  }
  return out;
}

/** How {@link shorten} runs an example. */
export interface ShortRun {
  /** The shell command to run. */
  readonly command: string;
  /**
   * A long-running command (`gridstream kinesis`): started, waited for until its output matches this,
   * then stopped with SIGINT.
   */
  readonly readyWhen?: RegExp;
}

/** Seconds a `--duration` may ask for in the test run. */
export const TEST_DURATION_S = 3;
/** Events a `--count` may ask for in the test run. */
export const TEST_COUNT = 2_000;

/**
 * Rewrites an example to run briefly against the test's emulator, changing only what makes it long:
 * - `npx gridstream` / `gridstream` → `<node> <cli>`;
 * - `127.0.0.1:4567` (the documented endpoint of `gridstream kinesis`) → the test emulator's `host:port`;
 * - `--duration S` → at most {@link TEST_DURATION_S}; `up` and `produce` without `--duration`/`--count`
 *   get `--duration 3`; `--count N` → at most {@link TEST_COUNT};
 * - `deliver` without `--stop-when-caught-up` gets it;
 * - `kinesis` gets `--port 0` (any free port) and is stopped with SIGINT once it printed its export line.
 *
 * @param example - the example
 * @param cli - the command that runs the CLI, e.g. `"/usr/bin/node" "/repo/bin/gridstream.js"`
 * @param hostPort - the test emulator's `127.0.0.1:<port>`
 */
export function shorten(example: ReadmeExample, cli: string, hostPort: string): ShortRun {
  const m = COMMAND.exec(example.command)!;
  let args = m[2]!.replaceAll('127.0.0.1:4567', hostPort);
  const has = (flag: string): boolean => new RegExp(`(^|\\s)${flag}(=|\\s|$)`).test(args);
  args = args.replace(
    /(^|\s)--duration(=|\s+)(\d+(?:\.\d+)?)/g,
    (all, pre: string, sep: string, s: string) =>
      Number(s) > TEST_DURATION_S ? `${pre}--duration${sep}${TEST_DURATION_S}` : all,
  );
  args = args.replace(/(^|\s)--count(=|\s+)(\d+)/g, (all, pre: string, sep: string, n: string) =>
    Number(n) > TEST_COUNT ? `${pre}--count${sep}${TEST_COUNT}` : all,
  );
  const sub = example.subcommand;
  if ((sub === 'up' || sub === 'produce') && !has('--duration') && !has('--count')) {
    args += ` --duration ${TEST_DURATION_S}`;
  }
  if (sub === 'deliver' && !has('--stop-when-caught-up')) args += ' --stop-when-caught-up';
  let readyWhen: RegExp | undefined;
  if (sub === 'kinesis') {
    args = `${args.replace(/(^|\s)--port(=|\s+)\S+/g, '')} --port 0`;
    readyWhen = /export AWS_ENDPOINT_URL_KINESIS=/;
  }
  if (sub === 'kafka') {
    // A local broker: any free port (and a fresh data folder), stopped once it accepts clients.
    args = `${args.replace(/(^|\s)--(port|data)(=|\s+)\S+/g, '')} --port 0`;
    readyWhen = /^ready 127\.0\.0\.1:\d+$/m;
  }
  const assignments = m[1]!.replaceAll('127.0.0.1:4567', hostPort);
  return { command: `${assignments}${cli} ${args.trim()}`, ...(readyWhen ? { readyWhen } : {}) };
}
