/**
 * The gate arithmetic of the LSTM and GRU steps, between their matrix products: SIMD
 * (assembly/gates.ts) when both cell functions have a wasm form (ACTIVATION_CODES) and every
 * array is on the heap, else the plain-TypeScript reference below.
 *
 * Layouts: gate matrices are batch × (gates·units), the gates side by side in each row;
 * state matrices (c, h and their gradients) are batch × units. `act` is the cell's
 * `activation` (tanh), `gateAct` its `recurrentActivation` (σ); f′ is taken as der(x, f(x)).
 */
import { address, everyOnHeap } from './heap-address.js';
import { ACTIVATION_CODES, type PointwiseFunction } from './elementwise.js';
import { vectorWasm } from './vector-wasm.js';

/** A gated cell's two functions. */
export interface CellFunctions {
  act: PointwiseFunction;
  gateAct: PointwiseFunction;
}

export interface GateKernels {
  /**
   * LSTM, gates [i f g o]: i, f, o = gateAct(z_·), g = act(z_c) into `gate`;
   * c = f⊙cPrev + i⊙g;  tc = act(c);  h = o⊙tc.
   */
  lstmForward(
    fns: CellFunctions,
    z: Float32Array,
    gate: Float32Array,
    cPrev: Float32Array,
    c: Float32Array,
    tc: Float32Array,
    h: Float32Array,
    batch: number,
    units: number,
  ): void;
  /**
   * LSTM backward, given ∂L/∂h (dh) and the part of ∂L/∂c from the next step (dc, updated in
   * place to the whole): dc += dh⊙o⊙act′(c);  dz_i = dc⊙g⊙gateAct′;  dz_f = dc⊙cPrev⊙gateAct′;
   * dz_c = dc⊙i⊙act′;  dz_o = dh⊙tc⊙gateAct′;  dcPrev = dc⊙f when dcPrev is given.
   */
  lstmBackward(
    fns: CellFunctions,
    z: Float32Array,
    gate: Float32Array,
    cPrev: Float32Array,
    c: Float32Array,
    tc: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    dcPrev: Float32Array | null,
    dz: Float32Array,
    batch: number,
    units: number,
  ): void;
  /**
   * GRU, gates [z r h]: pre_z += m_z;  pre_r += m_r;  z, r = gateAct(pre_·) into `gate`;
   * with resetAfter also pre_h += r⊙m_h.
   */
  gruGates(
    fns: CellFunctions,
    pre: Float32Array,
    m: Float32Array,
    gate: Float32Array,
    batch: number,
    units: number,
    resetAfter: boolean,
  ): void;
  /** GRU: h̃ = act(pre_h) into `gate`;  h = z⊙hPrev + (1 − z)⊙h̃. */
  gruOutput(
    fns: CellFunctions,
    pre: Float32Array,
    gate: Float32Array,
    hPrev: Float32Array,
    h: Float32Array,
    batch: number,
    units: number,
  ): void;
  /**
   * GRU backward through h: da_z = dh⊙(hPrev − h̃)⊙gateAct′;  da_h = dh⊙(1 − z)⊙act′;
   * dhPrev += dh⊙z when dhPrev is given. Leaves da_r alone.
   */
  gruOutputGrad(
    fns: CellFunctions,
    pre: Float32Array,
    gate: Float32Array,
    hPrev: Float32Array,
    dh: Float32Array,
    da: Float32Array,
    dhPrev: Float32Array | null,
    batch: number,
    units: number,
  ): void;
  /**
   * GRU with resetAfter, given da_z and da_h: dm_z = da_z;  dm_h = da_h⊙r;
   * da_r = dm_r = da_h⊙m_h⊙gateAct′(pre_r).
   */
  gruResetAfterGrad(
    fns: CellFunctions,
    pre: Float32Array,
    m: Float32Array,
    gate: Float32Array,
    da: Float32Array,
    dm: Float32Array,
    batch: number,
    units: number,
  ): void;
}

export const referenceGates: GateKernels = {
  lstmForward({ act, gateAct }, z, gate, cPrev, c, tc, h, batch, u) {
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < u; j++) {
        const n = b * u + j,
          iz = 4 * b * u + j;
        const i = (gate[iz] = gateAct.output(z[iz]));
        const f = (gate[iz + u] = gateAct.output(z[iz + u]));
        const g = (gate[iz + 2 * u] = act.output(z[iz + 2 * u]));
        const o = (gate[iz + 3 * u] = gateAct.output(z[iz + 3 * u]));
        c[n] = f * cPrev[n] + i * g;
        tc[n] = act.output(c[n]);
        h[n] = o * tc[n];
      }
    }
  },
  lstmBackward({ act, gateAct }, z, gate, cPrev, c, tc, dh, dc, dcPrev, dz, batch, u) {
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < u; j++) {
        const n = b * u + j,
          iz = 4 * b * u + j,
          fz = iz + u,
          gz = iz + 2 * u,
          oz = iz + 3 * u;
        const i = gate[iz],
          f = gate[fz],
          g = gate[gz],
          o = gate[oz];
        const dct = (dc[n] += dh[n] * o * act.der(c[n], tc[n]));
        dz[iz] = dct * g * gateAct.der(z[iz], i);
        dz[fz] = dct * cPrev[n] * gateAct.der(z[fz], f);
        dz[gz] = dct * i * act.der(z[gz], g);
        dz[oz] = dh[n] * tc[n] * gateAct.der(z[oz], o);
        if (dcPrev) dcPrev[n] = dct * f;
      }
    }
  },
  gruGates({ gateAct }, pre, m, gate, batch, u, resetAfter) {
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < u; j++) {
        const zi = 3 * b * u + j,
          ri = zi + u;
        gate[zi] = gateAct.output((pre[zi] += m[zi]));
        gate[ri] = gateAct.output((pre[ri] += m[ri]));
        if (resetAfter) pre[ri + u] += gate[ri] * m[ri + u];
      }
    }
  },
  gruOutput({ act }, pre, gate, hPrev, h, batch, u) {
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < u; j++) {
        const k = b * u + j,
          zi = 3 * b * u + j,
          z = gate[zi],
          hh = (gate[zi + 2 * u] = act.output(pre[zi + 2 * u]));
        h[k] = z * hPrev[k] + (1 - z) * hh;
      }
    }
  },
  gruOutputGrad({ act, gateAct }, pre, gate, hPrev, dh, da, dhPrev, batch, u) {
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < u; j++) {
        const k = b * u + j,
          zi = 3 * b * u + j,
          hi = zi + 2 * u;
        const z = gate[zi],
          hh = gate[hi];
        da[zi] = dh[k] * (hPrev[k] - hh) * gateAct.der(pre[zi], z);
        da[hi] = dh[k] * (1 - z) * act.der(pre[hi], hh);
        if (dhPrev) dhPrev[k] += dh[k] * z;
      }
    }
  },
  gruResetAfterGrad({ gateAct }, pre, m, gate, da, dm, batch, u) {
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < u; j++) {
        const zi = 3 * b * u + j,
          ri = zi + u,
          hi = zi + 2 * u;
        dm[zi] = da[zi];
        da[ri] = dm[ri] = da[hi] * m[hi] * gateAct.der(pre[ri], gate[ri]);
        dm[hi] = da[hi] * gate[ri];
      }
    }
  },
};

/**
 * Runs `wasm` with the heap addresses of `arrays` (0 for null) and both functions' codes, and
 * returns true; false, without running it, when a function has no wasm form or an array is
 * off the heap (the caller then takes the reference).
 */
function simd(
  { act, gateAct }: CellFunctions,
  arrays: readonly (Float32Array | null)[],
  wasm: (at: (array: Float32Array | null) => number, act: number, gateAct: number) => void,
): boolean {
  const a = ACTIVATION_CODES[act.name],
    g = ACTIVATION_CODES[gateAct.name];
  if (a === undefined || g === undefined || !everyOnHeap(arrays)) return false;
  wasm(address, a, g);
  return true;
}

export const simdGates: GateKernels = {
  lstmForward(fns, z, gate, cPrev, c, tc, h, batch, units) {
    const arrays = [z, gate, cPrev, c, tc, h];
    const ran = simd(fns, arrays, (at, act, gateAct) =>
      vectorWasm.lstmForward(
        at(z),
        at(gate),
        at(cPrev),
        at(c),
        at(tc),
        at(h),
        batch,
        units,
        act,
        gateAct,
      ),
    );
    if (!ran) referenceGates.lstmForward(fns, z, gate, cPrev, c, tc, h, batch, units);
  },
  lstmBackward(fns, z, gate, cPrev, c, tc, dh, dc, dcPrev, dz, batch, units) {
    const arrays = [z, gate, cPrev, c, tc, dh, dc, dcPrev, dz];
    const ran = simd(fns, arrays, (at, act, gateAct) =>
      vectorWasm.lstmBackward(
        at(z),
        at(gate),
        at(cPrev),
        at(c),
        at(tc),
        at(dh),
        at(dc),
        at(dcPrev),
        at(dz),
        batch,
        units,
        act,
        gateAct,
      ),
    );
    if (!ran) {
      referenceGates.lstmBackward(fns, z, gate, cPrev, c, tc, dh, dc, dcPrev, dz, batch, units);
    }
  },
  gruGates(fns, pre, m, gate, batch, units, resetAfter) {
    const ran = simd(fns, [pre, m, gate], (at, _act, gateAct) =>
      vectorWasm.gruGates(at(pre), at(m), at(gate), batch, units, gateAct, resetAfter ? 1 : 0),
    );
    if (!ran) referenceGates.gruGates(fns, pre, m, gate, batch, units, resetAfter);
  },
  gruOutput(fns, pre, gate, hPrev, h, batch, units) {
    const ran = simd(fns, [pre, gate, hPrev, h], (at, act) =>
      vectorWasm.gruOutput(at(pre), at(gate), at(hPrev), at(h), batch, units, act),
    );
    if (!ran) referenceGates.gruOutput(fns, pre, gate, hPrev, h, batch, units);
  },
  gruOutputGrad(fns, pre, gate, hPrev, dh, da, dhPrev, batch, units) {
    const arrays = [pre, gate, hPrev, dh, da, dhPrev];
    const ran = simd(fns, arrays, (at, act, gateAct) =>
      vectorWasm.gruOutputGrad(
        at(pre),
        at(gate),
        at(hPrev),
        at(dh),
        at(da),
        at(dhPrev),
        batch,
        units,
        act,
        gateAct,
      ),
    );
    if (!ran) referenceGates.gruOutputGrad(fns, pre, gate, hPrev, dh, da, dhPrev, batch, units);
  },
  gruResetAfterGrad(fns, pre, m, gate, da, dm, batch, units) {
    const ran = simd(fns, [pre, m, gate, da, dm], (at, _act, gateAct) =>
      vectorWasm.gruResetAfterGrad(at(pre), at(m), at(gate), at(da), at(dm), batch, units, gateAct),
    );
    if (!ran) referenceGates.gruResetAfterGrad(fns, pre, m, gate, da, dm, batch, units);
  },
};
