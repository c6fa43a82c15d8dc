import type { GridEvent } from '../../schemas/index.js';
import { gridEvent } from './events.js';

/** How deep the deeply nested poison records are: far past any contract, and past what recursion survives in places. */
export const POISON_DEPTH = 5_000;

/** An array nested `depth` levels deep, as JSON text. */
export function nestedArray(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** What a poison record does, and the field an error must name. */
export interface PoisonCase {
  /** Short name. */
  readonly name: string;
  /** The record's `event_id` (`<prefix>-<name>`). */
  readonly eventId: string;
  /** Field path the error must name. */
  readonly path: string;
  /** The user record's JSON text. */
  readonly text: string;
  /** The error code delivery gives it (`errorCode`). */
  readonly code: string;
  /** Text the reason must contain. */
  readonly reason: string;
}

/**
 * The grid event's JSON with one textual change: `from` (a substring of the canonical JSON) replaced.
 * Poison records cannot be built as objects: JSON.stringify never prints duplicate keys or lone
 * surrogate escapes.
 */
function edited(event: GridEvent, from: string | RegExp, to: string): string {
  const text = JSON.stringify(event);
  const out = text.replace(from, to);
  if (out === text) throw new Error(`poison fixture: ${String(from)} not found in the event`);
  return out;
}

/**
 * The poison records of issue 10: each is JSON that `JSON.parse` takes (or would stack-overflow the
 * old contract walk), and the lake's readers refuse. Event ids are `<prefix>-<name>`.
 *
 * @param prefix - prefix of the event ids
 */
export function poisonRecords(prefix: string): PoisonCase[] {
  const ev = (name: string) => gridEvent({ event_id: `${prefix}-${name}`, source: 'synthetic' });
  const cases: Omit<PoisonCase, 'eventId'>[] = [
    {
      name: 'deep-field',
      text: edited(ev('deep-field'), /"lmp_usd_mwh":[^,]+/, `"lmp_usd_mwh":${nestedArray(POISON_DEPTH)}`),
      code: 'too_deep',
      path: 'lmp_usd_mwh.0.0.0.0',
      reason: `nested ${POISON_DEPTH + 1} levels deep`,
    },
    {
      name: 'deep-undeclared',
      text: edited(ev('deep-undeclared'), /\}$/, `,"extra":${nestedArray(POISON_DEPTH)}}`),
      code: 'too_deep',
      path: 'extra.0.0.0.0',
      reason: `nested ${POISON_DEPTH + 1} levels deep`,
    },
    {
      name: 'dup-bad',
      text: edited(ev('dup-bad'), /"lmp_usd_mwh":[^,]+/, '"lmp_usd_mwh":"oops","lmp_usd_mwh":30.32'),
      code: 'duplicate_key',
      path: 'lmp_usd_mwh',
      reason: 'key "lmp_usd_mwh" appears twice',
    },
    {
      name: 'dup-good',
      text: edited(ev('dup-good'), /"lmp_usd_mwh":[^,]+/, '"lmp_usd_mwh":31.5,"lmp_usd_mwh":30.32'),
      code: 'duplicate_key',
      path: 'lmp_usd_mwh',
      reason: 'key "lmp_usd_mwh" appears twice',
    },
    {
      name: 'lone-high',
      text: edited(ev('lone-high'), '"source":"synthetic"', '"source":"synth\\ud800etic"'),
      code: 'unpaired_surrogate',
      path: 'source',
      reason: 'string holds the escape \\ud800',
    },
    {
      name: 'lone-low',
      text: edited(ev('lone-low'), '"source":"synthetic"', '"source":"synth\\udc00etic"'),
      code: 'unpaired_surrogate',
      path: 'source',
      reason: 'string holds the escape \\udc00',
    },
    {
      name: 'high-high',
      text: edited(ev('high-high'), '"source":"synthetic"', '"source":"synth\\ud800\\ud800etic"'),
      code: 'unpaired_surrogate',
      path: 'source',
      reason: 'a high surrogate not followed by a low one',
    },
  ];
  return cases.map((c) => ({ ...c, eventId: `${prefix}-${c.name}` }));
}

/** The poison records DuckDB itself refuses (deep nesting it would refuse too, but the contract catches it first). */
export function duckDbPoison(prefix: string): PoisonCase[] {
  return poisonRecords(prefix).filter((p) => p.code !== 'too_deep');
}
