import { parseArgs } from 'node:util';
import { type Command, UsageError } from './command.js';

/**
 * Every subcommand, loaded lazily so `gridstream query` does not pay for the producers' imports.
 * Keys are the words typed after `gridstream`.
 */
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  up: () => import('./commands/up.js'),
  produce: () => import('./commands/produce.js'),
  seed: () => import('./commands/seed.js'),
  deliver: () => import('./commands/deliver.js'),
  kinesis: () => import('./commands/kinesis.js'),
  kafka: () => import('./commands/kafka.js'),
  query: () => import('./commands/query.js'),
  curate: () => import('./commands/curate.js'),
  'loadtest run': () => import('./commands/loadtest.js').then((m) => ({ command: m.commands.run })),
  'loadtest reconcile': () =>
    import('./commands/loadtest.js').then((m) => ({ command: m.commands.reconcile })),
  'loadtest compare': () => import('./commands/loadtest.js').then((m) => ({ command: m.commands.compare })),
  'loadtest worker': () => import('./commands/loadtest.js').then((m) => ({ command: m.commands.worker })),
  'loadtest validate': () => import('./commands/loadtest.js').then((m) => ({ command: m.commands.validate })),
  'loadtest plan': () => import('./commands/loadtest.js').then((m) => ({ command: m.commands.plan })),
  'schemas check': () => import('./commands/schemasCheck.js'),
  'schemas codegen': () => import('./commands/schemasCodegen.js'),
  'schemas columns': () => import('./commands/schemasColumns.js'),
};

function helpFor(cmd: Command): string {
  const lines = [`Usage: gridstream ${cmd.name} ${cmd.usage}`.trimEnd(), '', cmd.summary, ''];
  const rows = Object.entries(cmd.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
    const def = o.default !== undefined ? ` (default: ${String(o.default)})` : '';
    return [flag, `${o.description}${def}`] as const;
  });
  rows.push(['    --help', 'Show this help']);
  const width = Math.max(...rows.map((r) => r[0].length), 10) + 2;
  lines.push('Options:');
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}${text}`);
  if (cmd.details) lines.push('', cmd.details.trim());
  return `${lines.join('\n')}\n`;
}

async function topHelp(): Promise<string> {
  const lines = ['Usage: gridstream <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    let summary = '';
    try {
      summary = (await load()).command.summary;
    } catch (err) {
      summary = `(unavailable: ${(err as Error).message.split('\n')[0]})`;
    }
    lines.push(`  ${name.padEnd(18)}${summary}`);
  }
  lines.push('', 'Run `gridstream <command> --help` for the options of a command.');
  return `${lines.join('\n')}\n`;
}

/**
 * Runs the CLI.
 *
 * @param argv - arguments after `gridstream`
 * @returns the exit code
 */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(await topHelp());
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const key = COMMANDS[two] ? two : argv[0]!;
  const rest = argv.slice(key.split(' ').length);
  const load = COMMANDS[key];
  if (!load) {
    const sub = Object.keys(COMMANDS).filter((k) => k.startsWith(`${argv[0]} `));
    process.stderr.write(
      sub.length > 0
        ? `gridstream ${argv[0]}: choose one of: ${sub.join(', ')}\n`
        : `gridstream: unknown command ${JSON.stringify(argv[0])}; run gridstream --help\n`,
    );
    return 2;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(helpFor(command));
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: command.options,
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    return await command.run(values as Record<string, string | boolean | undefined>, positionals);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(
        `gridstream ${command.name}: ${e.message}\nRun gridstream ${command.name} --help\n`,
      );
      return 2;
    }
    process.stderr.write(`gridstream ${command.name}: ${e.name}: ${e.message}\n`);
    if (process.env.GRIDSTREAM_DEBUG) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
