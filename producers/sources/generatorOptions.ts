import type { Dataset } from '../../schemas/index.js';
import { DEFAULT_SEED } from './constants.js';
import { InvalidSourceOptionError } from './errors.js';
import { type EventIdKey, eventIdKey } from './eventId.js';
import type { Clock, GeneratorOptions } from './types.js';
import { WALL_CLOCK } from './WallClock.js';

/** Options every generator resolves the same way. */
export interface CommonGeneratorSettings {
  /** The seed as given. */
  readonly seed: number;
  /** The seed folded to 32 bits for the hashes. */
  readonly seed32: number;
  readonly producerId: string;
  readonly clock: Clock;
  readonly idKey: EventIdKey;
  readonly startSequence: number;
}

/**
 * Validates and defaults the options shared by all generators (before any event is generated).
 *
 * @param dataset - dataset of the generator
 * @param options - caller's options
 * @throws InvalidSourceOptionError naming the offending option and value
 */
export function resolveCommonOptions(dataset: Dataset, options: GeneratorOptions): CommonGeneratorSettings {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new InvalidSourceOptionError('seed', seed, 'a safe integer');
  const producerId = options.producerId ?? `gridstream-${dataset}-${seed}`;
  if (typeof producerId !== 'string' || producerId.length === 0) {
    throw new InvalidSourceOptionError('producerId', producerId, 'a non-empty string');
  }
  const clock = options.clock ?? WALL_CLOCK;
  if (typeof clock?.now !== 'function')
    throw new InvalidSourceOptionError('clock', clock, 'an object with now()');
  const startSequence = options.startSequence ?? 0;
  if (!Number.isSafeInteger(startSequence) || startSequence < 0) {
    throw new InvalidSourceOptionError('startSequence', startSequence, 'an integer >= 0');
  }
  const seed32 = seed32Of(seed);
  return { seed, seed32, producerId, clock, idKey: eventIdKey(seed, producerId, dataset), startSequence };
}

/**
 * The seed folded to 32 bits, as the models' hashes take it.
 *
 * @param seed - a safe integer seed
 */
export function seed32Of(seed: number): number {
  return (seed ^ Math.floor(seed / 4294967296)) >>> 0;
}

/**
 * Checks that a rate option is a probability.
 *
 * @param option - option name for the error
 * @param value - value received
 * @param max - largest allowed value
 */
export function checkRate(option: string, value: number, max = 1): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= max)) {
    throw new InvalidSourceOptionError(option, value, `a number in [0, ${max}]`);
  }
  return value;
}

/**
 * Picks named entries of a catalogue, in the order given.
 *
 * @param option - option name for the error
 * @param names - requested names, or undefined for all
 * @param catalogue - available entries
 * @param nameOf - name of an entry
 */
export function pickByName<T>(
  option: string,
  names: readonly string[] | undefined,
  catalogue: readonly T[],
  nameOf: (entry: T) => string,
): T[] {
  if (names === undefined) return [...catalogue];
  const byName = new Map(catalogue.map((e) => [nameOf(e), e]));
  return names.map((n) => {
    const entry = byName.get(n);
    if (!entry) {
      throw new InvalidSourceOptionError(option, n, `one of ${[...byName.keys()].join(', ')}`);
    }
    return entry;
  });
}
