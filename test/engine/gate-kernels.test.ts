/**
 * The SIMD gate kernels of the LSTM and GRU (assembly/gates.ts) against the plain-TypeScript
 * reference, over unit counts that exercise full vectors and every tail, for the cell
 * functions that have a wasm form and for one that falls back (softsign).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { elementwiseFunctions } from '../../src/engine/activations.js';
import { BACKENDS } from '../../src/engine/kernels/index.js';
import type { CellFunctions, GateKernels } from '../../src/engine/kernels/gates.js';
import { RandomState } from '../../src/engine/random.js';
import { Tensor } from '../../src/engine/tensor.js';

const { simd, reference } = BACKENDS;
const UNITS = [1, 2, 3, 4, 5, 7, 8, 13, 64];
const BATCH = 3;
/** The SIMD exp and tanh are within a few float32 ulp of Math's. */
const TOL = 2e-6;

type Name = keyof typeof elementwiseFunctions;
const cell = (act: Name, gateAct: Name): CellFunctions => ({
  act: { name: act, ...elementwiseFunctions[act] },
  gateAct: { name: gateAct, ...elementwiseFunctions[gateAct] },
});
const CELLS = [cell('tanh', 'sigmoid'), cell('relu', 'linear'), cell('softsign', 'sigmoid')];

const random = new RandomState(5);

/** Heap arrays of random values, the same for both kernel sets. */
function inputs(sizes: Record<string, number>): () => Record<string, Float32Array> {
  const values = Object.fromEntries(
    Object.entries(sizes).map(([key, n]) => [key, random.uniform(-3, 3, n)]),
  );
  return () =>
    Object.fromEntries(
      Object.entries(values).map(([key, v]) => [key, Tensor.fromArray([v.length], v).data]),
    );
}

function closeTo(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    assert.ok(Math.abs(a - e) <= TOL * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} vs ${e}`);
  }
}

/** Runs `work` on both kernel sets over copies of the same arrays and compares every array. */
function compare(
  label: string,
  arrays: () => Record<string, Float32Array>,
  work: (gates: GateKernels, a: Record<string, Float32Array>) => void,
): void {
  const [s, r] = [arrays(), arrays()];
  work(simd.gates, s);
  work(reference.gates, r);
  for (const key of Object.keys(r)) closeTo(s[key], r[key], `${label}: ${key}`);
}

test('LSTM gate kernels: SIMD equals the reference at every unit count', () => {
  for (const fns of CELLS) {
    for (const u of UNITS) {
      const gates = BATCH * 4 * u,
        state = BATCH * u;
      const label = `LSTM ${fns.act.name}/${fns.gateAct.name} units=${u}`;
      const sizes = { z: gates, gate: gates, cPrev: state, c: state, tc: state, h: state };
      compare(`${label} forward`, inputs(sizes), (k, a) =>
        k.lstmForward(fns, a.z, a.gate, a.cPrev, a.c, a.tc, a.h, BATCH, u),
      );
      for (const withPrev of [true, false]) {
        const back = { ...sizes, dh: state, dc: state, dcPrev: state, dz: gates };
        compare(`${label} backward dcPrev=${withPrev}`, inputs(back), (k, a) =>
          k.lstmBackward(
            fns,
            a.z,
            a.gate,
            a.cPrev,
            a.c,
            a.tc,
            a.dh,
            a.dc,
            withPrev ? a.dcPrev : null,
            a.dz,
            BATCH,
            u,
          ),
        );
      }
    }
  }
});

test('GRU gate kernels: SIMD equals the reference at every unit count, both reset forms', () => {
  for (const fns of CELLS) {
    for (const u of UNITS) {
      const gates = BATCH * 3 * u,
        state = BATCH * u;
      const label = `GRU ${fns.act.name}/${fns.gateAct.name} units=${u}`;
      for (const resetAfter of [true, false]) {
        compare(
          `${label} gates resetAfter=${resetAfter}`,
          inputs({ pre: gates, m: gates, gate: gates }),
          (k, a) => k.gruGates(fns, a.pre, a.m, a.gate, BATCH, u, resetAfter),
        );
      }
      const out = { pre: gates, gate: gates, hPrev: state, h: state };
      compare(`${label} output`, inputs(out), (k, a) =>
        k.gruOutput(fns, a.pre, a.gate, a.hPrev, a.h, BATCH, u),
      );
      for (const withPrev of [true, false]) {
        const back = { pre: gates, gate: gates, hPrev: state, dh: state, da: gates, dhPrev: state };
        compare(`${label} output grad dhPrev=${withPrev}`, inputs(back), (k, a) =>
          k.gruOutputGrad(
            fns,
            a.pre,
            a.gate,
            a.hPrev,
            a.dh,
            a.da,
            withPrev ? a.dhPrev : null,
            BATCH,
            u,
          ),
        );
      }
      const reset = { pre: gates, m: gates, gate: gates, da: gates, dm: gates };
      compare(`${label} reset-after grad`, inputs(reset), (k, a) =>
        k.gruResetAfterGrad(fns, a.pre, a.m, a.gate, a.da, a.dm, BATCH, u),
      );
    }
  }
});

test('LSTM gate kernel: a NaN pre-activation reaches h and the gradients', () => {
  const u = 5,
    fns = CELLS[0];
  for (const gates of [simd.gates, reference.gates]) {
    const z = Tensor.zeros([4 * u]).data;
    z[2 * u + 1] = NaN;
    const [gate, cPrev, c, tc, h] = [4 * u, u, u, u, u].map((n) => Tensor.zeros([n]).data);
    gates.lstmForward(fns, z, gate, cPrev, c, tc, h, 1, u);
    assert.ok(Number.isNaN(h[1]), 'h[1] is NaN');
    assert.ok(!Number.isNaN(h[0]) && !Number.isNaN(h[2]), 'the other units are not');
  }
});
