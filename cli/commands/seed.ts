import { abortOnSignals, EXIT_CODES } from '../../common/index.js';
import { DEFAULT_LAKE } from '../../datalake/storage/index.js';
import { defaultScheduledTasks, runUp, UP_DEFAULT_BACKFILL_HOURS } from '../../local/index.js';
import { formatCount } from '../../stream-processors/delivery/index.js';
import { type Command, intOption, LAKE_OPTION, UsageError } from '../command.js';

/** `gridstream seed`: the backfill of `gridstream up`, alone, for an existing lake. */
export const command: Command = {
  name: 'seed',
  summary: 'Backfill the last N hours of simulated, seeded history into a lake (what up does first)',
  usage: '[--lake DIR] [--hours N] [--seed N]',
  details: `
Sends the last --hours of history, ending at now, through an in-memory Kinesis and delivery into the
lake's raw zone (the same layout and files as live data), then curates and compacts it, and exits.
History is the company universe of \`gridstream up\` in simulated time: grid prices of 215 points every
5, 15 and 60 minutes with an evening scarcity event every day, weather of 11 locations every hour,
trades of 4 books. It starts after whatever the lake already holds for each dataset, so seeding twice
sends nothing twice. The same --seed gives the same events.

Examples:
  gridstream seed --lake ./lake-demo --hours 6 --seed 7`,
  options: {
    lake: LAKE_OPTION,
    hours: {
      type: 'string',
      description: 'Hours of history, ending at now',
      valueName: 'N',
      default: String(UP_DEFAULT_BACKFILL_HOURS),
    },
    seed: { type: 'string', description: 'Generator seed (default: random, printed)', valueName: 'N' },
  },
  async run(values) {
    const hours = intOption('hours', values.hours, UP_DEFAULT_BACKFILL_HOURS);
    if (!(hours > 0)) throw new UsageError(`--hours must be above 0, got ${JSON.stringify(values.hours)}`);
    const seed = intOption('seed', values.seed);
    if (seed !== undefined && !Number.isSafeInteger(seed))
      throw new UsageError(`--seed must be a whole number, got ${JSON.stringify(values.seed)}`);
    const lake = String(values.lake ?? DEFAULT_LAKE);
    const controller = new AbortController();
    const dispose = abortOnSignals(controller, {
      onFirst: () => process.stderr.write('\ngridstream seed: stopping (Ctrl-C again to abort)\n'),
    });
    try {
      const r = await runUp({
        lake,
        live: false,
        backfillHours: hours,
        commandName: 'gridstream seed',
        signal: controller.signal,
        scheduledTasks: defaultScheduledTasks(),
        ...(seed !== undefined ? { seed } : {}),
      });
      const sent = Object.values(r.backfill.events).reduce((a, b) => a + b, 0);
      const per = Object.entries(r.backfill.events)
        .map(([d, n]) => `${d} ${formatCount(n)}`)
        .join(', ');
      process.stdout.write(
        `gridstream seed: ${sent === 0 ? 'nothing to send (the lake already holds these hours)' : `sent ${formatCount(sent)} events (${per}) in ${(r.backfill.durationMs / 1000).toFixed(1)} s`}, ` +
          `delivered ${formatCount(r.delivery.totals.delivered)} in ${formatCount(r.delivery.totals.files)} files` +
          `${r.drained ? '' : ' (delivery had not caught up: run `gridstream deliver` to finish)'}\n`,
      );
      return r.drained ? EXIT_CODES.ok : EXIT_CODES.failed;
    } finally {
      dispose();
    }
  },
};
