import type { Dataset } from '../../schemas/index.js';
import { InvalidSourceOptionError } from './errors.js';
import { GridGenerator } from './GridGenerator.js';
import { TransactionsGenerator } from './TransactionsGenerator.js';
import type { EventGenerator, GeneratorOptions } from './types.js';
import { WeatherGenerator } from './WeatherGenerator.js';

/**
 * Creates the seeded synthetic generator of a dataset. Options are validated here, before any
 * event is generated.
 *
 * @param dataset - `grid`, `weather` or `transactions`
 * @param options - seed, producer id, clock, start sequence and the dataset's model options
 * @throws InvalidSourceOptionError naming an invalid option or dataset
 * @example
 * ```ts
 * const gen = createGenerator('grid', { seed: 42, grid: { intervalMinutes: 5, spikeRate: 0.002 } });
 * const event = gen.next(); // valid against contractFor('grid')
 * ```
 */
export function createGenerator<D extends Dataset>(
  dataset: D,
  options: GeneratorOptions = {},
): EventGenerator<D> {
  switch (dataset as Dataset) {
    case 'grid':
      return new GridGenerator(options) as unknown as EventGenerator<D>;
    case 'weather':
      return new WeatherGenerator(options) as unknown as EventGenerator<D>;
    case 'transactions':
      return new TransactionsGenerator(options) as unknown as EventGenerator<D>;
    default:
      throw new InvalidSourceOptionError('dataset', dataset, 'grid, weather or transactions');
  }
}
