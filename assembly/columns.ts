// The rules' passes over whole scalar columns (src/diagnose/column-passes.ts says why they are
// here). Each is a literal port of the JavaScript it replaces, comparison for comparison, so
// that every result is the same to the last bit. Columns are f64s; `x - x != 0` is true exactly
// for NaN and ±Infinity, as JavaScript's !Number.isFinite(x).

@inline function at(column: usize, i: i32): f64 {
  return load<f64>(column + (<usize>i << 3));
}

@inline function put(column: usize, i: i32, value: f64): void {
  store<f64>(column + (<usize>i << 3), value);
}

// Moves the finite values of the n at `values` to the front, in order, and the steps at `steps`
// with them; returns how many there are.
export function keepFinite(steps: usize, values: usize, n: i32): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const value = at(values, i);
    if (value - value != 0) continue;
    put(steps, count, at(steps, i));
    put(values, count++, value);
  }
  return count;
}

// Keeps the places i where both a[i] and b[i] are finite and b[i] > 0, moving them to the front
// of `steps`, `a` and `b` in order; returns how many there are.
export function keepFinitePositive(steps: usize, a: usize, b: usize, n: i32): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const x = at(a, i);
    const y = at(b, i);
    if (x - x != 0 || y - y != 0 || !(y > 0)) continue;
    put(steps, count, at(steps, i));
    put(a, count, x);
    put(b, count++, y);
  }
  return count;
}

// Whether the n f64s at `a` and at `b` are the same, each larger than the one before.
export function sameSteps(a: usize, b: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    if (at(a, i) != at(b, i) || (i > 0 && at(a, i) <= at(a, i - 1))) return false;
  }
  return true;
}

// The place of the first of the n values at `values` at or above `limit`; −1 when none is.
export function firstAtLeast(values: usize, n: i32, limit: f64): i32 {
  for (let i = 0; i < n; i++) if (at(values, i) >= limit) return i;
  return -1;
}

// a[i] / b[i] into a, for each of the n places.
export function divideInto(a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i++) put(a, i, at(a, i) / at(b, i));
}

// How many of the n values at `values` are finite.
export function finiteCount(values: usize, n: i32): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) if (at(values, i) - at(values, i) == 0) count++;
  return count;
}

// The largest finite value of the n at `values`, −Infinity when none is (NaN compares false).
export function finiteMax(values: usize, n: i32): f64 {
  let largest = -Infinity;
  for (let i = 0; i < n; i++) {
    const value = at(values, i);
    if (value > largest && value != Infinity) largest = value;
  }
  return largest;
}

// The sum of the n values at `values`, in order.
export function sum(values: usize, n: i32): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) total += at(values, i);
  return total;
}
