// SIMD matrix kernels (AssemblyScript, 128-bit SIMD). Pointers are byte addresses into the
// imported memory (the heap); matrices are row-major float32; accumulate != 0 adds the product
// to C instead of overwriting it. Only the m×n block of C is ever written.
//
// Speed comes from register blocking: a 4×8 block of C lives in eight v128 accumulators for
// the whole k loop, so each B vector is loaded once per four rows and C is touched once.
// Wasm SIMD has no fused multiply-add outside relaxed SIMD, so the 128-bit build's inner loop
// is mul + add; the relaxed build (madd.ts) fuses them: about 30% faster on the machine of
// 2026-12-01 (512 KB L2), within 3% on the AMD Zen 5 one of 2026-12-02, where this build's
// 55–62 GFLOP/s a core is already near what native 128-bit multiply + add code reaches (README).
//
// Remainders: the last row block repeats row m−1 in its unused slots. Both copies load the same
// C values before either stores, so they store the same result and nothing is added twice.
// Columns past the last 8-wide block go 4 at a time, the last 1–3 through partial loads and
// stores, so no kernel reads or writes outside the matrices.
//
// Zero multipliers are not skipped: measured on Fashion-MNIST inputs (about half zeros) the
// branch made the blocked loops 10–25% slower, and skipping would turn 0·Inf into 0 instead of
// NaN, hiding exactly the exploding values gradscope exists to show.

import { loadLanes, storeLanes } from './lanes';
import { madd } from './madd';
import { checkedSquares } from './sum-of-squares';

// Cache blocking (as in GotoBLAS): once B outgrows the cache, a KC×NC block of it is packed
// into `scratch` as strips of 8 columns, each strip KC·32 contiguous bytes, zero-padded past
// the last column. The block stays in L2 while every 4-row block of A runs over it, and each
// strip is read front to back, so the 4×8 kernel streams B instead of striding through it.
const KC = 256;
const NC = 256;
// B blocks smaller than this (in elements) stay in cache unpacked; packing would cost more.
const PACK_MIN = 32768;

// KC·NC floats, set once by the host (src/engine/kernels/simd.ts) from the heap.
let scratch: usize = 0;

export function setScratch(p: usize): void {
  scratch = p;
}

// The packed B block, then one packed 4-row panel of A (KC rows of 4 floats).
export const SCRATCH_BYTES: i32 = (KC * NC + KC * 4) * 4;
const A_PANEL: usize = <usize>(KC * NC * 4);

function packs(k: i32, n: i32): bool {
  return scratch != 0 && k * n >= PACK_MIN;
}

// Per lane, the squares of a block of 4 rows × 8 columns (x_r0, x_r1: row r), summed in
// float32 as a tree: one rounding for each square and three for the sum, as sum-of-squares.ts.
@inline function squares4x8(
  x00: v128,
  x01: v128,
  x10: v128,
  x11: v128,
  x20: v128,
  x21: v128,
  x30: v128,
  x31: v128,
): v128 {
  const t0 = f32x4.add(f32x4.mul(x00, x00), f32x4.mul(x01, x01));
  const t1 = f32x4.add(f32x4.mul(x10, x10), f32x4.mul(x11, x11));
  const t2 = f32x4.add(f32x4.mul(x20, x20), f32x4.mul(x21, x21));
  const t3 = f32x4.add(f32x4.mul(x30, x30), f32x4.mul(x31, x31));
  return f32x4.add(f32x4.add(t0, t1), f32x4.add(t2, t3));
}

// C rows c0..c3, 8 columns: c_r += Σ_p A(r, p) · B(p, ·). With `measure`, returns the block's
// squares (squares4x8), else zero. A(r, p) sits at a_r + p·ps, so one
// loop serves both A·B (ps = 4) and Aᵀ·B (ps = row bytes of A). B rows are ldb bytes apart.
function block4x8(
  a0: usize,
  a1: usize,
  a2: usize,
  a3: usize,
  ps: usize,
  b: usize,
  ldb: usize,
  c0: usize,
  c1: usize,
  c2: usize,
  c3: usize,
  k: i32,
  accumulate: i32,
  measure: bool,
): v128 {
  const zero = f32x4.splat(0);
  let x00 = accumulate ? v128.load(c0) : zero;
  let x01 = accumulate ? v128.load(c0, 16) : zero;
  let x10 = accumulate ? v128.load(c1) : zero;
  let x11 = accumulate ? v128.load(c1, 16) : zero;
  let x20 = accumulate ? v128.load(c2) : zero;
  let x21 = accumulate ? v128.load(c2, 16) : zero;
  let x30 = accumulate ? v128.load(c3) : zero;
  let x31 = accumulate ? v128.load(c3, 16) : zero;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const y0 = v128.load32_splat(a0);
    const y1 = v128.load32_splat(a1);
    const y2 = v128.load32_splat(a2);
    const y3 = v128.load32_splat(a3);
    x00 = madd(y0, b0, x00);
    x01 = madd(y0, b1, x01);
    x10 = madd(y1, b0, x10);
    x11 = madd(y1, b1, x11);
    x20 = madd(y2, b0, x20);
    x21 = madd(y2, b1, x21);
    x30 = madd(y3, b0, x30);
    x31 = madd(y3, b1, x31);
    a0 += ps;
    a1 += ps;
    a2 += ps;
    a3 += ps;
    b += ldb;
  }
  v128.store(c0, x00);
  v128.store(c0, x01, 16);
  v128.store(c1, x10);
  v128.store(c1, x11, 16);
  v128.store(c2, x20);
  v128.store(c2, x21, 16);
  v128.store(c3, x30);
  v128.store(c3, x31, 16);
  // The block's squares from the registers, for a measured product (blockSquares' grouping).
  return measure ? squares4x8(x00, x01, x10, x11, x20, x21, x30, x31) : zero;
}

// As block4x8 for the last `lanes` (1–4) columns.
function block4xLanes(
  a0: usize,
  a1: usize,
  a2: usize,
  a3: usize,
  ps: usize,
  b: usize,
  ldb: usize,
  c0: usize,
  c1: usize,
  c2: usize,
  c3: usize,
  k: i32,
  accumulate: i32,
  lanes: i32,
): void {
  const zero = f32x4.splat(0);
  let x0 = accumulate ? loadLanes(c0, lanes) : zero;
  let x1 = accumulate ? loadLanes(c1, lanes) : zero;
  let x2 = accumulate ? loadLanes(c2, lanes) : zero;
  let x3 = accumulate ? loadLanes(c3, lanes) : zero;
  for (let p = 0; p < k; p++) {
    const b0 = loadLanes(b, lanes);
    x0 = madd(v128.load32_splat(a0), b0, x0);
    x1 = madd(v128.load32_splat(a1), b0, x1);
    x2 = madd(v128.load32_splat(a2), b0, x2);
    x3 = madd(v128.load32_splat(a3), b0, x3);
    a0 += ps;
    a1 += ps;
    a2 += ps;
    a3 += ps;
    b += ldb;
  }
  storeLanes(c0, x0, lanes);
  storeLanes(c1, x1, lanes);
  storeLanes(c2, x2, lanes);
  storeLanes(c3, x3, lanes);
}

// Columns j0 ≤ j < j1 of C (m×n) = Σ_p A(i, p) · B(p, j) with A(i, p) at a + i·rs + p·ps (byte
// strides), in panels of NC columns so that a measured product (`measure`) sums its squares in
// the order productSquares does. Returns that sum (0 unless `measure`).
function outerProducts(
  a: usize,
  rs: usize,
  ps: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  accumulate: i32,
  j0: i32,
  j1: i32,
  measure: bool,
): f64 {
  const ldb = (<usize>n) << 2;
  let squares: f64 = 0;
  for (let jb = j0; jb < j1; jb += NC) {
    const o = (<usize>jb) << 2;
    const nc = min(NC, j1 - jb);
    squares += rowBlocks(a, rs, ps, b + o, 32, ldb, c + o, ldb, m, k, nc, accumulate, false, measure);
  }
  return squares;
}

// Σ x² over `rows` (1–4) rows × nc columns of C at c, rows ldc bytes apart: for each 8 columns
// the squares of every row summed in float32 (at most 8 per lane: the error bound of
// sum-of-squares.ts), then in float64. The order of every measured product's sum.
function blockSquares(c: usize, ldc: usize, rows: i32, nc: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let j = 0;
  for (; j + 8 <= nc; j += 8) {
    const o = (<usize>j) << 2;
    let t: v128;
    if (rows == 4) {
      t = squares4x8(
        v128.load(c + o),
        v128.load(c + o, 16),
        v128.load(c1 + o),
        v128.load(c1 + o, 16),
        v128.load(c2 + o),
        v128.load(c2 + o, 16),
        v128.load(c3 + o),
        v128.load(c3 + o, 16),
      );
    } else {
      t = f32x4.splat(0);
      for (let r = 0; r < rows; r++) {
        const p = c + <usize>r * ldc + o;
        const x0 = v128.load(p), x1 = v128.load(p, 16);
        t = f32x4.add(t, f32x4.add(f32x4.mul(x0, x0), f32x4.mul(x1, x1)));
      }
    }
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(t));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 0, 1)));
  }
  return tailSquares(c, ldc, rows, j, nc, s0, s1);
}

// blockSquares from column j on (the last 1–7 columns, 4 at a time), added to its lane sums
// s0, s1 of the columns before; returns the block's sum.
function tailSquares(c: usize, ldc: usize, rows: i32, j: i32, nc: i32, s0: v128, s1: v128): f64 {
  for (; j < nc; j += 4) {
    const o = (<usize>j) << 2;
    const lanes = min(nc - j, 4);
    let t = f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      const x = loadLanes(c + <usize>r * ldc + o, lanes);
      t = f32x4.add(t, f32x4.mul(x, x));
    }
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(t));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 0, 1)));
  }
  const s = f64x2.add(s0, s1);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

// Σ x² over C (m×n), in panels of NC columns, 4-row blocks, blockSquares: the same bits as the
// products' own measurement (a product split across threads is measured after, by this), then
// checked as sum-of-squares.ts checks its own sums.
export function productSquares(c: usize, m: i32, n: i32): f64 {
  const ldc = (<usize>n) << 2;
  let squares: f64 = 0;
  for (let jb = 0; jb < n; jb += NC) {
    const nc = min(NC, n - jb);
    for (let i = 0; i < m; i += 4) {
      squares += blockSquares(c + <usize>i * ldc + ((<usize>jb) << 2), ldc, min(4, m - i), nc);
    }
  }
  return checkedSquares(squares, c, m * n);
}

// C rows (ldc bytes apart) (+)= A′ (m×kc) · B′ (kc×nc), four rows of A′ at a time; with
// `measure`, returns Σ x² over the rows written, in blockSquares' order (else 0). Column j of
// B′ starts at b + (j >> 3)·sb + (j & 7)·4 with rows ldb bytes apart: sb = 32 for B in place,
// the strip size for packed strips. With packA (Aᵀ, kc ≤ KC) the four values of each p sit in
// one row of A, a row apart for the next p, so each panel is first gathered into kc
// contiguous vectors (the last block repeats row m − 1, as its C rows do).
function rowBlocks(
  a: usize,
  rs: usize,
  ps: usize,
  b: usize,
  sb: usize,
  ldb: usize,
  c: usize,
  ldc: usize,
  m: i32,
  kc: i32,
  nc: i32,
  accumulate: i32,
  packA: bool,
  measure: bool,
): f64 {
  let squares: f64 = 0;
  for (let i = 0; i < m; i += 4) {
    const i1 = min(i + 1, m - 1);
    const i2 = min(i + 2, m - 1);
    const i3 = min(i + 3, m - 1);
    let a0 = a + <usize>i * rs;
    let a1 = a + <usize>i1 * rs;
    let a2 = a + <usize>i2 * rs;
    let a3 = a + <usize>i3 * rs;
    let aps = ps;
    if (packA) {
      const panel = scratch + A_PANEL;
      for (let p = 0; p < kc; p++) {
        const q = <usize>p * ps;
        const d = panel + (<usize>p << 4);
        if (i + 3 < m) v128.store(d, v128.load(a0 + q));
        else {
          store<f32>(d, load<f32>(a0 + q));
          store<f32>(d, load<f32>(a1 + q), 4);
          store<f32>(d, load<f32>(a2 + q), 8);
          store<f32>(d, load<f32>(a3 + q), 12);
        }
      }
      a0 = panel;
      a1 = panel + 4;
      a2 = panel + 8;
      a3 = panel + 12;
      aps = 16;
    }
    const c0 = c + <usize>i * ldc;
    const c1 = c + <usize>i1 * ldc;
    const c2 = c + <usize>i2 * ldc;
    const c3 = c + <usize>i3 * ldc;
    // A full block is measured from the registers; the last, partial one from memory after.
    const full = measure && i + 3 < m;
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let j = 0;
    for (; j + 8 <= nc; j += 8) {
      const o = (<usize>j) << 2;
      const bj = b + <usize>(j >> 3) * sb;
      const t = block4x8(a0, a1, a2, a3, aps, bj, ldb, c0 + o, c1 + o, c2 + o, c3 + o, kc, accumulate, full);
      if (full) {
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(t));
        s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 0, 1)));
      }
    }
    const strips = j;
    for (; j < nc; j += 4) {
      const o = (<usize>j) << 2;
      const bj = b + <usize>(j >> 3) * sb + (<usize>(j & 7) << 2);
      const lanes = min(nc - j, 4);
      block4xLanes(
        a0,
        a1,
        a2,
        a3,
        aps,
        bj,
        ldb,
        c0 + o,
        c1 + o,
        c2 + o,
        c3 + o,
        kc,
        accumulate,
        lanes,
      );
    }
    if (full) squares += tailSquares(c0, ldc, 4, strips, nc, s0, s1);
    else if (measure) squares += blockSquares(c0, ldc, m - i, nc);
  }
  return squares;
}

// Every export computes the block r0 ≤ i < r1, j0 ≤ j < j1 of its m×n product C, so that threads
// can share one product by rows or by columns (src/engine/kernels/threads.ts). Each element of C
// is computed by the same instructions in the same order whatever the block (whether B is packed
// depends on the whole product's shape), so a split changes no bit of the result.
//
// With `measure` (only for the whole product: r0 = 0, r1 = m, j0 = 0, j1 = n) each export also
// returns Σ x² over C as it leaves it, with productSquares' bits: the kernel gradient's squared
// norm, taken from the blocks of C while they are still in L1. Without it, returns 0.

// C (m×n) = A (m×k) · B (k×n)
export function matmul(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  accumulate: i32,
  r0: i32,
  r1: i32,
  j0: i32,
  j1: i32,
  measure: i32,
): f64 {
  const rowBytes = (<usize>n) << 2;
  const ar = a + <usize>r0 * ((<usize>k) << 2);
  const cr = c + <usize>r0 * rowBytes;
  const rows = r1 - r0;
  const rs = (<usize>k) << 2;
  const squares = packs(k, n)
    ? packedProducts(ar, rs, 4, b, rowBytes, 4, cr, rows, k, n, accumulate, j0, j1, measure != 0)
    : outerProducts(ar, rs, 4, b, cr, rows, k, n, accumulate, j0, j1, measure != 0);
  return measure ? checkedSquares(squares, c, m * n) : 0;
}

// C (m×n) = Aᵀ · B with A (k×m), B (k×n)
export function matmulTransA(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  accumulate: i32,
  r0: i32,
  r1: i32,
  j0: i32,
  j1: i32,
  measure: i32,
): f64 {
  const ps = (<usize>m) << 2;
  // Row i of C is column i of A.
  const ar = a + ((<usize>r0) << 2);
  const cr = c + <usize>r0 * ((<usize>n) << 2);
  const rows = r1 - r0;
  const bp = (<usize>n) << 2;
  const squares = packs(k, n)
    ? packedProducts(ar, 4, ps, b, bp, 4, cr, rows, k, n, accumulate, j0, j1, measure != 0)
    : outerProducts(ar, 4, ps, b, cr, rows, k, n, accumulate, j0, j1, measure != 0);
  return measure ? checkedSquares(squares, c, m * n) : 0;
}

// [Σ x0, Σ x1, Σ x2, Σ x3]: four horizontal sums in one vector.
function sums4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const s01 = f32x4.add(
    v128.shuffle<f32>(x0, x1, 0, 1, 4, 5),
    v128.shuffle<f32>(x0, x1, 2, 3, 6, 7),
  );
  const s23 = f32x4.add(
    v128.shuffle<f32>(x2, x3, 0, 1, 4, 5),
    v128.shuffle<f32>(x2, x3, 2, 3, 6, 7),
  );
  return f32x4.add(
    v128.shuffle<f32>(s01, s23, 0, 2, 4, 6),
    v128.shuffle<f32>(s01, s23, 1, 3, 5, 7),
  );
}

// Two rows × four columns of A·Bᵀ as dot products of A rows a0, a1 with B rows b0..b3; the
// first `lanes` columns are stored to c0, c1. The k tail is one more step with zero-filled lanes.
function dots2x4(
  a0: usize,
  a1: usize,
  b0: usize,
  b1: usize,
  b2: usize,
  b3: usize,
  c0: usize,
  c1: usize,
  k: i32,
  accumulate: i32,
  lanes: i32,
): void {
  let x00 = f32x4.splat(0);
  let x01 = f32x4.splat(0);
  let x02 = f32x4.splat(0);
  let x03 = f32x4.splat(0);
  let x10 = f32x4.splat(0);
  let x11 = f32x4.splat(0);
  let x12 = f32x4.splat(0);
  let x13 = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const o = (<usize>p) << 2;
    const y0 = v128.load(a0 + o);
    const y1 = v128.load(a1 + o);
    let z = v128.load(b0 + o);
    x00 = madd(y0, z, x00);
    x10 = madd(y1, z, x10);
    z = v128.load(b1 + o);
    x01 = madd(y0, z, x01);
    x11 = madd(y1, z, x11);
    z = v128.load(b2 + o);
    x02 = madd(y0, z, x02);
    x12 = madd(y1, z, x12);
    z = v128.load(b3 + o);
    x03 = madd(y0, z, x03);
    x13 = madd(y1, z, x13);
  }
  if (p < k) {
    const o = (<usize>p) << 2;
    const tail = k - p;
    const y0 = loadLanes(a0 + o, tail);
    const y1 = loadLanes(a1 + o, tail);
    let z = loadLanes(b0 + o, tail);
    x00 = madd(y0, z, x00);
    x10 = madd(y1, z, x10);
    z = loadLanes(b1 + o, tail);
    x01 = madd(y0, z, x01);
    x11 = madd(y1, z, x11);
    z = loadLanes(b2 + o, tail);
    x02 = madd(y0, z, x02);
    x12 = madd(y1, z, x12);
    z = loadLanes(b3 + o, tail);
    x03 = madd(y0, z, x03);
    x13 = madd(y1, z, x13);
  }
  let s0 = sums4(x00, x01, x02, x03);
  let s1 = sums4(x10, x11, x12, x13);
  if (accumulate) {
    s0 = f32x4.add(s0, loadLanes(c0, lanes));
    s1 = f32x4.add(s1, loadLanes(c1, lanes));
  }
  storeLanes(c0, s0, lanes);
  storeLanes(c1, s1, lanes);
}

// C (m×n) = A · Bᵀ with A (m×k), B (n×k). Unused row and column slots of the last blocks
// repeat row m−1 of A and row n−1 of B; only the first n−j columns of a block are stored.
export function matmulTransB(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  accumulate: i32,
  r0: i32,
  r1: i32,
  j0: i32,
  j1: i32,
  measure: i32,
): f64 {
  const rowBytes = (<usize>k) << 2;
  const whole = c;
  const wholeRows = m;
  a += <usize>r0 * rowBytes;
  c += <usize>r0 * ((<usize>n) << 2);
  m = r1 - r0;
  if (packs(k, n)) {
    // Bᵀ(p, j) = B(j, p): the packing transposes B as it copies it.
    const s = packedProducts(a, rowBytes, 4, b, 4, rowBytes, c, m, k, n, accumulate, j0, j1, measure != 0);
    return measure ? checkedSquares(s, whole, wholeRows * n) : 0;
  }
  const ldc = (<usize>n) << 2;
  for (let i = 0; i < m; i += 2) {
    const i1 = min(i + 1, m - 1);
    const a0 = a + <usize>i * rowBytes;
    const a1 = a + <usize>i1 * rowBytes;
    const c0 = c + <usize>i * ldc;
    const c1 = c + <usize>i1 * ldc;
    for (let j = j0; j < j1; j += 4) {
      const b0 = b + <usize>j * rowBytes;
      const b1 = b + <usize>min(j + 1, n - 1) * rowBytes;
      const b2 = b + <usize>min(j + 2, n - 1) * rowBytes;
      const b3 = b + <usize>min(j + 3, n - 1) * rowBytes;
      const o = (<usize>j) << 2;
      dots2x4(a0, a1, b0, b1, b2, b3, c0 + o, c1 + o, k, accumulate, min(j1 - j, 4));
    }
  }
  // Blocks of two rows: measured after, in productSquares' order.
  return measure ? productSquares(whole, wholeRows, n) : 0;
}

// Packs the kc×nc block of B′ whose element (p, j) sits at b + p·bp + j·bj into scratch:
// strip s holds columns 8s … 8s+7, row p of the strip at s·kc·32 + p·32.
function packB(b: usize, bp: usize, bj: usize, kc: i32, nc: i32): void {
  for (let j = 0; j < nc; j += 8) {
    const dst = scratch + <usize>(j >> 3) * (<usize>kc << 5);
    const src = b + <usize>j * bj;
    const cols = min(nc - j, 8);
    let p = 0;
    if (cols == 8 && bj == 4) {
      for (; p < kc; p++) {
        const q = src + <usize>p * bp;
        v128.store(dst + (<usize>p << 5), v128.load(q));
        v128.store(dst + (<usize>p << 5), v128.load(q, 16), 16);
      }
    } else if (cols == 8 && bp == 4) {
      // B′ = Bᵀ: four rows of B at a time, transposed 4×4 in registers.
      for (; p + 4 <= kc; p += 4) {
        for (let half = 0; half < 2; half++) {
          const q = src + <usize>(half << 2) * bj + (<usize>p << 2);
          const r0 = v128.load(q);
          const r1 = v128.load(q + bj);
          const r2 = v128.load(q + 2 * bj);
          const r3 = v128.load(q + 3 * bj);
          const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
          const d = dst + (<usize>p << 5) + (<usize>half << 4);
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(d + 32, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
          v128.store(d + 64, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
          v128.store(d + 96, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
        }
      }
    }
    for (; p < kc; p++) {
      const d = dst + (<usize>p << 5);
      const q = src + <usize>p * bp;
      for (let col = 0; col < 8; col++) {
        store<f32>(d + (<usize>col << 2), col < cols ? load<f32>(q + <usize>col * bj) : 0);
      }
    }
  }
}

// Columns j0 ≤ j < j1 of C (m×n) (+)= A′·B′ through packed blocks of B′ (element (p, j) at
// b + p·bp + j·bj); A′(i, p) at a + i·rs + p·ps as in outerProducts. After the first KC block
// every block accumulates. Only the columns asked for are packed, so threads that share a
// product by columns pack no block twice. Returns the measurement as rowBlocks does.
function packedProducts(
  a: usize,
  rs: usize,
  ps: usize,
  b: usize,
  bp: usize,
  bj: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  accumulate: i32,
  j0: i32,
  j1: i32,
  measure: bool,
): f64 {
  const ldc = (<usize>n) << 2;
  let squares: f64 = 0;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const acc = accumulate || p0 > 0 ? 1 : 0;
    const stripBytes = (<usize>kc) << 5;
    for (let jb = j0; jb < j1; jb += NC) {
      const nc = min(NC, j1 - jb);
      packB(b + <usize>p0 * bp + <usize>jb * bj, bp, bj, kc, nc);
      const ap = a + <usize>p0 * ps;
      const cj = c + ((<usize>jb) << 2);
      // Only the last block of k leaves C final, so only it is measured.
      const last = measure && p0 + KC >= k;
      squares += rowBlocks(ap, rs, ps, scratch, stripBytes, 32, cj, ldc, m, kc, nc, acc, rs == 4, last);
    }
  }
  return squares;
}
