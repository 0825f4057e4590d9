/**
 * Flags as experiments declare and read them: typed specs, the values parsed from a command
 * line, and the usage error a bad value raises. The CLI parses argv against these specs
 * (src/cli/args.ts); experiments never import the CLI.
 */
import { GradscopeError } from '../engine/errors.js';

export type FlagKind = 'number' | 'integer' | 'string' | 'boolean' | 'choice';

export interface FlagSpec {
  /** Long name without dashes, e.g. 'learning-rate'. */
  name: string;
  kind: FlagKind;
  description: string;
  /** Shown in --help; the value used when the flag is absent (undefined: no default). */
  default?: number | string | boolean;
  /** Allowed values, for kind 'choice'. */
  choices?: readonly string[];
  /** Minimum (exclusive when `positive`), for numbers. */
  positive?: boolean;
}

export type FlagValues = Record<string, number | string | boolean | undefined>;

/** A bad command line: an unknown flag, a value of the wrong kind or out of range. */
export class UsageError extends GradscopeError {
  override name = 'UsageError';
}

/** `given` over the defaults of `specs`. */
export function withDefaults(given: FlagValues, specs: readonly FlagSpec[]): FlagValues {
  const values: FlagValues = {};
  for (const spec of specs) values[spec.name] = spec.default;
  for (const [name, value] of Object.entries(given)) if (value !== undefined) values[name] = value;
  return values;
}

/** A flag's value as a number, or `fallback` when absent. */
export function numberFlag(flags: FlagValues, name: string, fallback?: number): number | undefined {
  const value = flags[name];
  return typeof value === 'number' ? value : fallback;
}

export function stringFlag(flags: FlagValues, name: string, fallback?: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : fallback;
}
