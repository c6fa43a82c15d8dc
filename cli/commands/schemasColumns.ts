import { contractFor, DATASETS, isDataset } from '../../schemas/index.js';
import { type Command, UsageError } from '../command.js';

/** `gridstream schemas columns`: prints the Glue/Hive columns derived from a contract. */
export const command: Command = {
  name: 'schemas columns',
  summary: 'Print the Glue/Hive columns (name, type) derived from a dataset contract',
  usage: '[--dataset grid|weather|transactions] [--json]',
  options: {
    dataset: { type: 'string', valueName: 'NAME', description: 'Dataset (default: all)' },
    json: { type: 'boolean', description: 'Print JSON instead of a table' },
  },
  run(values) {
    const name = values.dataset;
    if (typeof name === 'string' && !isDataset(name)) {
      throw new UsageError(`--dataset must be one of ${DATASETS.join(', ')}, got ${JSON.stringify(name)}`);
    }
    const datasets = typeof name === 'string' && isDataset(name) ? [name] : DATASETS;
    const out = datasets.map((d) => ({
      dataset: d,
      columns: contractFor(d).columns,
      partitionKeys: contractFor(d).partitionKeys,
    }));
    if (values.json) {
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    for (const t of out) {
      process.stdout.write(`${t.dataset}\n`);
      for (const c of t.columns) process.stdout.write(`  ${c.name.padEnd(28)}${c.type}\n`);
      for (const c of t.partitionKeys) process.stdout.write(`  ${c.name.padEnd(28)}${c.type}  (partition)\n`);
    }
    return 0;
  },
};
