/**
 * Flag parsing for the CLI: each command declares typed flags; values are checked once here,
 * and a bad flag gets a message with what was expected and what was received.
 */
import { UsageError, type FlagSpec, type FlagValues } from '../experiments/flags.js';

/**
 * Parses `--name value`, `--name=value` and boolean `--name` against `specs`. Returns only the
 * flags given: defaults are each consumer's own (see `withDefaults`), so one command line can
 * feed experiments whose defaults differ.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): FlagValues {
  const values: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--'))
      throw new UsageError(`unexpected argument '${arg}'. Flags start with --`);
    const [rawName, inline] = splitOnce(arg.slice(2), '=');
    const spec = specs.find((s) => s.name === rawName);
    if (!spec) {
      throw new UsageError(
        `unknown flag --${rawName}. Expected one of: ${specs.map((s) => `--${s.name}`).join(', ')}`,
      );
    }
    if (spec.kind === 'boolean') {
      values[spec.name] = inline === undefined ? true : parseBoolean(spec, inline);
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined)
      throw new UsageError(`--${spec.name} needs a value (${describeKind(spec)})`);
    values[spec.name] = parseValue(spec, raw);
  }
  return values;
}

function parseValue(spec: FlagSpec, raw: string): number | string {
  if (spec.kind === 'string') return raw;
  if (spec.kind === 'choice') {
    if (!spec.choices!.includes(raw)) {
      throw new UsageError(
        `--${spec.name} must be one of ${spec.choices!.join(', ')}. Received: ${raw}`,
      );
    }
    return raw;
  }
  const value = Number(raw);
  const integerOk = spec.kind !== 'integer' || Number.isInteger(value);
  if (raw.trim() === '' || !Number.isFinite(value) || !integerOk || (spec.positive && value <= 0)) {
    throw new UsageError(`--${spec.name} must be ${describeKind(spec)}. Received: ${raw}`);
  }
  return value;
}

function parseBoolean(spec: FlagSpec, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new UsageError(`--${spec.name} must be true or false. Received: ${raw}`);
}

function describeKind(spec: FlagSpec): string {
  const sign = spec.positive ? 'a positive ' : 'a ';
  if (spec.kind === 'integer') return `${sign}integer`;
  if (spec.kind === 'number') return `${sign}number`;
  if (spec.kind === 'choice') return `one of ${spec.choices!.join(', ')}`;
  return 'a value';
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** The --help lines for a list of flags. */
export function formatFlags(specs: readonly FlagSpec[]): string {
  const heads = specs.map(
    (s) =>
      `--${s.name}${s.kind === 'boolean' ? '' : ` <${s.kind === 'choice' ? s.choices!.join('|') : s.kind}>`}`,
  );
  const width = Math.max(...heads.map((h) => h.length));
  return specs
    .map((s, i) => {
      const def = s.default === undefined ? '' : ` (default: ${s.default})`;
      return `  ${heads[i].padEnd(width)}  ${s.description}${def}`;
    })
    .join('\n');
}
