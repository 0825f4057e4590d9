/** Errors the engine throws for bad configuration or bad input; messages give the expectation and what was received. */

/** A constructor or call argument outside its allowed values. */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** Tensors whose shapes do not fit together. */
export class ShapeError extends Error {
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
