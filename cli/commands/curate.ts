import type { Command } from '../command.js';

// Placeholder while the command is being built; replaced by its real implementation.
export const command: Command = {
  name: 'curate',
  summary: '(in progress)',
  usage: '',
  options: {},
  async run() {
    process.stderr.write('gridstream curate is not built yet\n');
    return 1;
  },
};
