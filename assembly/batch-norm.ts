// BatchNormalization over the last axis of a rows × cols matrix, four columns per vector.
// Each pass walks the matrix row by row, so a wide matrix streams through the cache once per
// pass; per-column vectors (mean, scale, …) are cols floats.

import { loadLanes, storeLanes } from './lanes';

// mean[j] = Σ_r x[r, j] / rows;  variance[j] = Σ_r (x[r, j] − mean[j])² / rows (biased).
export function columnMoments(x: usize, rows: i32, cols: i32, mean: usize, variance: usize): void {
  const rowBytes = (<usize>cols) << 2;
  const inv = f32x4.splat(<f32>1 / <f32>rows);
  for (let j = 0; j < cols; j += 4) {
    const o = (<usize>j) << 2;
    const lanes = min(cols - j, 4);
    let s = f32x4.splat(0);
    let p = x + o;
    for (let r = 0; r < rows; r++) {
      s = f32x4.add(s, loadLanes(p, lanes));
      p += rowBytes;
    }
    const mu = f32x4.mul(s, inv);
    let q = f32x4.splat(0);
    p = x + o;
    for (let r = 0; r < rows; r++) {
      const d = f32x4.sub(loadLanes(p, lanes), mu);
      q = f32x4.add(q, f32x4.mul(d, d));
      p += rowBytes;
    }
    storeLanes(mean + o, mu, lanes);
    storeLanes(variance + o, f32x4.mul(q, inv), lanes);
  }
}

// xHat = (x − mean)·invStd;  y = gamma·xHat + beta (gamma = 0 means 1, beta = 0 means 0).
// Row by row, each row's loads and stores in address order. Walked column by column instead
// (rows a row's bytes apart), a load of x can share its address modulo 4096 with a store to
// xHat or y a few rows back, and wait for it ("4K aliasing"), as consecutive buffers of whole
// 4 KB pages (the layer's) lie: hot, 32×256 floats, 11.7 µs so against 2.2–2.3 µs with the
// buffers apart, and 4.5 µs row by row in either layout (Zen 5 EPYC, 2026-12-04).
export function normalize(
  x: usize, mean: usize, invStd: usize, gamma: usize, beta: usize,
  xHat: usize, y: usize, rows: i32, cols: i32,
): void {
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * rowBytes;
    for (let j = 0; j < cols; j += 4) {
      const o = (<usize>j) << 2;
      const lanes = min(cols - j, 4);
      const g = gamma ? loadLanes(gamma + o, lanes) : f32x4.splat(1);
      const b = beta ? loadLanes(beta + o, lanes) : f32x4.splat(0);
      const h = f32x4.mul(f32x4.sub(loadLanes(x + row + o, lanes), loadLanes(mean + o, lanes)), loadLanes(invStd + o, lanes));
      storeLanes(xHat + row + o, h, lanes);
      storeLanes(y + row + o, f32x4.add(f32x4.mul(g, h), b), lanes);
    }
  }
}

// sum[j] = Σ_r g[r, j];  sumXHat[j] = Σ_r g[r, j]·xHat[r, j]  (g = ∂L/∂y).
export function gradSums(g: usize, xHat: usize, rows: i32, cols: i32, sum: usize, sumXHat: usize): void {
  const rowBytes = (<usize>cols) << 2;
  for (let j = 0; j < cols; j += 4) {
    const o = (<usize>j) << 2;
    const lanes = min(cols - j, 4);
    let s = f32x4.splat(0);
    let sx = f32x4.splat(0);
    let off = o;
    for (let r = 0; r < rows; r++) {
      const gv = loadLanes(g + off, lanes);
      s = f32x4.add(s, gv);
      sx = f32x4.add(sx, f32x4.mul(gv, loadLanes(xHat + off, lanes)));
      off += rowBytes;
    }
    storeLanes(sum + o, s, lanes);
    storeLanes(sumXHat + o, sx, lanes);
  }
}

// inputGrad = scale·(g − meanGrad − xHat·meanGradXHat), per column j; row by row, as normalize.
export function inputGrad(
  g: usize, xHat: usize, scale: usize, meanGrad: usize, meanGradXHat: usize,
  out: usize, rows: i32, cols: i32,
): void {
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * rowBytes;
    for (let j = 0; j < cols; j += 4) {
      const o = (<usize>j) << 2;
      const lanes = min(cols - j, 4);
      const k = loadLanes(scale + o, lanes);
      const mg = loadLanes(meanGrad + o, lanes);
      const mgx = loadLanes(meanGradXHat + o, lanes);
      const d = f32x4.sub(f32x4.sub(loadLanes(g + row + o, lanes), mg), f32x4.mul(loadLanes(xHat + row + o, lanes), mgx));
      storeLanes(out + row + o, f32x4.mul(k, d), lanes);
    }
  }
}
