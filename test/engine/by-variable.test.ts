/** ByVariable, the report's ‖Δw‖ (or Σw²) per variable, reads as a Map of the same entries would. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Variable } from '../../src/engine/layers/variable.js';
import { Adam } from '../../src/engine/optimizers/index.js';
import { ByVariable } from '../../src/engine/optimizers/by-variable.js';

const variable = (name: string, values: number[], grad: number[]): Variable => {
  const v = new Variable(name, [values.length], Float32Array.from(values), true);
  v.grad!.data.set(grad);
  return v;
};

test('ByVariable answers every ReadonlyMap read as a Map of the same entries', () => {
  const variables = ['a', 'b', 'c'].map((name, k) => variable(name, [k, 1], [1, -k]));
  const norms = new ByVariable();
  const map = new Map<Variable, number>();
  variables.forEach((v, k) => {
    norms.add(v, 0.5 * k + 0.25);
    map.set(v, 0.5 * k + 0.25);
  });
  const absent = variable('absent', [0], [0]);
  assert.equal(norms.size, map.size);
  for (const v of [...variables, absent]) {
    assert.equal(norms.get(v), map.get(v), v.name);
    assert.equal(norms.has(v), map.has(v), v.name);
  }
  // Looked up in update order (the probes'), then in any other: the same answers.
  const orders = [variables, [...variables].reverse(), [variables[1], variables[1], absent]];
  for (const order of orders) for (const v of order) assert.equal(norms.get(v), map.get(v));
  assert.deepEqual([...norms], [...map]);
  assert.deepEqual([...norms.entries()], [...map.entries()]);
  assert.deepEqual([...norms.keys()], [...map.keys()]);
  assert.deepEqual([...norms.values()], [...map.values()]);
  const seen: [string, number][] = [];
  norms.forEach((norm, v, owner) => {
    assert.equal(owner, norms);
    seen.push([v.name, norm]);
  });
  assert.deepEqual(
    seen,
    [...map].map(([v, norm]) => [v.name, norm]),
  );
});

test("Adam's report holds each variable's ‖Δw‖, only when measured", () => {
  const variables = [variable('w', [1, 2, 3], [0.5, -1, 2]), variable('b', [0], [3])];
  const adam = new Adam({ learningRate: 0.1 });
  const before = variables.map((v) => Float64Array.from(v.value.data));
  const measured = adam.apply(variables);
  variables.forEach((v, k) => {
    const squares = before[k].reduce((sum, w, i) => sum + (w - v.value.data[i]) ** 2, 0);
    assert.ok(Math.abs(measured.updateNorms.get(v)! - Math.sqrt(squares)) < 1e-6, v.name);
  });
  assert.equal(adam.apply(variables, undefined, false).updateNorms.size, 0);
});
