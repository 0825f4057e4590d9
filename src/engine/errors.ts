/**
 * The error hierarchy. Every error gradscope throws on purpose derives from `GradscopeError`, and
 * its message says what was expected and what was received ("Dense: units must be a positive
 * integer. Received: units=0.5"):
 *
 *   GradscopeError
 *   ├── ValueError               an argument outside its allowed values (here)
 *   ├── ShapeError               tensors whose shapes do not fit together (here)
 *   ├── NonFiniteGradientError   a clipper with errorIfNonfinite met NaN/Infinity (clipping.ts)
 *   ├── DataError                a data set missing, unreadable or malformed (data/errors.ts)
 *   └── UsageError               a bad command line (experiments/flags.ts)
 *
 * Anything else that escapes is a bug, not a user error.
 */

/** The base of every error gradscope throws on purpose. */
export class GradscopeError extends Error {
  override name = 'GradscopeError';
}

/** A constructor or call argument outside its allowed values. */
export class ValueError extends GradscopeError {
  override name = 'ValueError';
}

/** Tensors whose shapes do not fit together. */
export class ShapeError extends GradscopeError {
  override name = 'ShapeError';
}

/** Resolves `name` in `registry`, or throws listing the names it knows. */
export function lookup<T>(registry: Readonly<Record<string, T>>, name: string, what: string): T {
  if (!Object.prototype.hasOwnProperty.call(registry, name)) {
    throw new ValueError(
      `Unknown ${what}: '${name}'. Expected one of: ${Object.keys(registry).join(', ')}`,
    );
  }
  return registry[name];
}

export function checkPositiveInteger(owner: string, field: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ValueError(
      `${owner}: ${field} must be a positive integer. Received: ${field}=${value}`,
    );
  }
}

export function checkRange(
  owner: string,
  field: string,
  value: number,
  min: number,
  max: number,
): void {
  if (!(value >= min && value <= max)) {
    throw new ValueError(
      `${owner}: ${field} must be in [${min}, ${max}]. Received: ${field}=${value}`,
    );
  }
}

/** A decay rate or momentum: 1 would stop the update (or divide by zero), so [0, 1). */
export function checkDecay(owner: string, field: string, value: number): void {
  if (!(value >= 0 && value < 1)) {
    throw new ValueError(`${owner}: ${field} must be in [0, 1). Received: ${field}=${value}`);
  }
}

export function checkPositive(owner: string, field: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ValueError(
      `${owner}: ${field} must be a positive finite number. Received: ${field}=${value}`,
    );
  }
}
