// The gate arithmetic of the LSTM and GRU steps, four units at a time, between the step's
// matrix products (src/engine/kernels/gates.ts has the reference loops and the formulas).
// Each row b of a gate matrix holds the gates side by side: [gate 0 | gate 1 | …], `units`
// floats each; state matrices (c, h) are batch × units. `act` and `gateAct` are activation
// codes (assembly/activations.ts).

import { activate, derivative } from './activations';
import { loadLanes, storeLanes } from './lanes';

// LSTM forward: [i f g o] = [σ(z_i) σ(z_f) tanh(z_c) σ(z_o)];  c = f⊙cPrev + i⊙g;
// tc = tanh(c);  h = o⊙tc.
export function lstmForward(
  z: usize, gate: usize, cPrev: usize, c: usize, tc: usize, h: usize,
  batch: i32, units: i32, act: i32, gateAct: i32,
): void {
  const u = (<usize>units) << 2;
  for (let b = 0; b < batch; b++) {
    const row = <usize>b * 4 * u, state = <usize>b * u;
    for (let j = 0; j < units; j += 4) {
      const lanes = min(units - j, 4);
      const g0 = row + ((<usize>j) << 2), s = state + ((<usize>j) << 2);
      const i = activate(gateAct, loadLanes(z + g0, lanes));
      const f = activate(gateAct, loadLanes(z + g0 + u, lanes));
      const g = activate(act, loadLanes(z + g0 + 2 * u, lanes));
      const o = activate(gateAct, loadLanes(z + g0 + 3 * u, lanes));
      storeLanes(gate + g0, i, lanes);
      storeLanes(gate + g0 + u, f, lanes);
      storeLanes(gate + g0 + 2 * u, g, lanes);
      storeLanes(gate + g0 + 3 * u, o, lanes);
      const cv = f32x4.add(f32x4.mul(f, loadLanes(cPrev + s, lanes)), f32x4.mul(i, g));
      const tv = activate(act, cv);
      storeLanes(c + s, cv, lanes);
      storeLanes(tc + s, tv, lanes);
      storeLanes(h + s, f32x4.mul(o, tv), lanes);
    }
  }
}

// LSTM backward: dc += dh⊙o⊙tanh′(c);  dz_i = dc⊙g⊙σ′;  dz_f = dc⊙cPrev⊙σ′;
// dz_c = dc⊙i⊙tanh′;  dz_o = dh⊙tc⊙σ′;  dcPrev = dc⊙f (when dcPrev ≠ 0).
export function lstmBackward(
  z: usize, gate: usize, cPrev: usize, c: usize, tc: usize, dh: usize, dc: usize,
  dcPrev: usize, dz: usize, batch: i32, units: i32, act: i32, gateAct: i32,
): void {
  const u = (<usize>units) << 2;
  for (let b = 0; b < batch; b++) {
    const row = <usize>b * 4 * u, state = <usize>b * u;
    for (let j = 0; j < units; j += 4) {
      const lanes = min(units - j, 4);
      const g0 = row + ((<usize>j) << 2), s = state + ((<usize>j) << 2);
      const i = loadLanes(gate + g0, lanes), f = loadLanes(gate + g0 + u, lanes);
      const g = loadLanes(gate + g0 + 2 * u, lanes), o = loadLanes(gate + g0 + 3 * u, lanes);
      const tv = loadLanes(tc + s, lanes), dhv = loadLanes(dh + s, lanes);
      const dcv = f32x4.add(
        loadLanes(dc + s, lanes),
        f32x4.mul(f32x4.mul(dhv, o), derivative(act, loadLanes(c + s, lanes), tv)),
      );
      storeLanes(dc + s, dcv, lanes);
      const di = derivative(gateAct, loadLanes(z + g0, lanes), i);
      const df = derivative(gateAct, loadLanes(z + g0 + u, lanes), f);
      const dg = derivative(act, loadLanes(z + g0 + 2 * u, lanes), g);
      const dO = derivative(gateAct, loadLanes(z + g0 + 3 * u, lanes), o);
      storeLanes(dz + g0, f32x4.mul(f32x4.mul(dcv, g), di), lanes);
      storeLanes(dz + g0 + u, f32x4.mul(f32x4.mul(dcv, loadLanes(cPrev + s, lanes)), df), lanes);
      storeLanes(dz + g0 + 2 * u, f32x4.mul(f32x4.mul(dcv, i), dg), lanes);
      storeLanes(dz + g0 + 3 * u, f32x4.mul(f32x4.mul(dhv, tv), dO), lanes);
      if (dcPrev) storeLanes(dcPrev + s, f32x4.mul(dcv, f), lanes);
    }
  }
}

// GRU gates: pre_z += m_z, pre_r += m_r;  z = σ(pre_z), r = σ(pre_r);  with resetAfter also
// pre_h += r⊙m_h. Gate rows are [z r h] (3·units).
export function gruGates(
  pre: usize, m: usize, gate: usize, batch: i32, units: i32, gateAct: i32, resetAfter: i32,
): void {
  const u = (<usize>units) << 2;
  for (let b = 0; b < batch; b++) {
    const row = <usize>b * 3 * u;
    for (let j = 0; j < units; j += 4) {
      const lanes = min(units - j, 4);
      const g0 = row + ((<usize>j) << 2);
      const pz = f32x4.add(loadLanes(pre + g0, lanes), loadLanes(m + g0, lanes));
      const pr = f32x4.add(loadLanes(pre + g0 + u, lanes), loadLanes(m + g0 + u, lanes));
      const r = activate(gateAct, pr);
      storeLanes(pre + g0, pz, lanes);
      storeLanes(pre + g0 + u, pr, lanes);
      storeLanes(gate + g0, activate(gateAct, pz), lanes);
      storeLanes(gate + g0 + u, r, lanes);
      if (resetAfter) {
        const ph = loadLanes(pre + g0 + 2 * u, lanes);
        storeLanes(pre + g0 + 2 * u, f32x4.add(ph, f32x4.mul(r, loadLanes(m + g0 + 2 * u, lanes))), lanes);
      }
    }
  }
}

// GRU output: h̃ = tanh(pre_h);  h = z⊙hPrev + (1 − z)⊙h̃.
export function gruOutput(
  pre: usize, gate: usize, hPrev: usize, h: usize, batch: i32, units: i32, act: i32,
): void {
  const u = (<usize>units) << 2;
  const one = f32x4.splat(1);
  for (let b = 0; b < batch; b++) {
    const row = <usize>b * 3 * u, state = <usize>b * u;
    for (let j = 0; j < units; j += 4) {
      const lanes = min(units - j, 4);
      const g0 = row + ((<usize>j) << 2), s = state + ((<usize>j) << 2);
      const hh = activate(act, loadLanes(pre + g0 + 2 * u, lanes));
      const zv = loadLanes(gate + g0, lanes);
      storeLanes(gate + g0 + 2 * u, hh, lanes);
      const out = f32x4.add(f32x4.mul(zv, loadLanes(hPrev + s, lanes)), f32x4.mul(f32x4.sub(one, zv), hh));
      storeLanes(h + s, out, lanes);
    }
  }
}

// GRU output backward: da_z = dh⊙(hPrev − h̃)⊙σ′(z);  da_h = dh⊙(1 − z)⊙tanh′(h̃);
// dhPrev += dh⊙z (when dhPrev ≠ 0).
export function gruOutputGrad(
  pre: usize, gate: usize, hPrev: usize, dh: usize, da: usize, dhPrev: usize,
  batch: i32, units: i32, act: i32, gateAct: i32,
): void {
  const u = (<usize>units) << 2;
  const one = f32x4.splat(1);
  for (let b = 0; b < batch; b++) {
    const row = <usize>b * 3 * u, state = <usize>b * u;
    for (let j = 0; j < units; j += 4) {
      const lanes = min(units - j, 4);
      const g0 = row + ((<usize>j) << 2), s = state + ((<usize>j) << 2);
      const zv = loadLanes(gate + g0, lanes), hh = loadLanes(gate + g0 + 2 * u, lanes);
      const dhv = loadLanes(dh + s, lanes);
      const dz = derivative(gateAct, loadLanes(pre + g0, lanes), zv);
      const dhh = derivative(act, loadLanes(pre + g0 + 2 * u, lanes), hh);
      const hp = loadLanes(hPrev + s, lanes);
      storeLanes(da + g0, f32x4.mul(f32x4.mul(dhv, f32x4.sub(hp, hh)), dz), lanes);
      storeLanes(da + g0 + 2 * u, f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, zv)), dhh), lanes);
      if (dhPrev) storeLanes(dhPrev + s, f32x4.add(loadLanes(dhPrev + s, lanes), f32x4.mul(dhv, zv)), lanes);
    }
  }
}

// GRU reset-after backward, given da_z and da_h: dm_z = da_z;  dm_h = da_h⊙r;
// da_r = dm_r = da_h⊙m_h⊙σ′(r).
export function gruResetAfterGrad(
  pre: usize, m: usize, gate: usize, da: usize, dm: usize, batch: i32, units: i32, gateAct: i32,
): void {
  const u = (<usize>units) << 2;
  for (let b = 0; b < batch; b++) {
    const row = <usize>b * 3 * u;
    for (let j = 0; j < units; j += 4) {
      const lanes = min(units - j, 4);
      const g0 = row + ((<usize>j) << 2);
      const r = loadLanes(gate + g0 + u, lanes), dah = loadLanes(da + g0 + 2 * u, lanes);
      const dr = f32x4.mul(
        f32x4.mul(dah, loadLanes(m + g0 + 2 * u, lanes)),
        derivative(gateAct, loadLanes(pre + g0 + u, lanes), r),
      );
      storeLanes(dm + g0, loadLanes(da + g0, lanes), lanes);
      storeLanes(da + g0 + u, dr, lanes);
      storeLanes(dm + g0 + u, dr, lanes);
      storeLanes(dm + g0 + 2 * u, f32x4.mul(dah, r), lanes);
    }
  }
}
