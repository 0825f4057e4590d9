/**
 * The native kernels (native/*.c, built by `npm ci` and `npm run build` into
 * native/build/Release/products.node by scripts/build-native.mjs), on the same shared heap the
 * WebAssembly kernels use:
 * - the matrix products, in 256- or 512-bit FMA loops: about 2× (AVX2) or 4× (AVX-512) the
 *   128-bit wasm products on wide shapes (README, "Benchmark"), the same results up to the
 *   last bits;
 * - Adam's update, on AVX-512 only, with the wasm update's bits (3× faster);
 * - a batch of byte images gathered and scaled to float32, with the wasm kernel's bits;
 * - the row-wise softmax, with the TypeScript one's bits (Math.exp's);
 * - a Dense layer's bias and relu or linear activation, fused into its forward product, and
 *   on AVX-512 relu's backward, BatchNormalization's passes and the bias gradients' row sums,
 *   with the wasm passes' bits.
 * They are used where they were built and the CPU has AVX2 + FMA or AVX-512F; without a C
 * compiler, on another CPU, or with GRADSCOPE_NATIVE=0, the wasm kernels serve.
 *
 * GRADSCOPE_NATIVE=auto (the default) runs products of at least NATIVE_MIN_FLOPS natively;
 * 1 runs every product natively and throws at load when the module cannot; 0 never.
 * GRADSCOPE_NATIVE_WIDTH=256 keeps an AVX-512 CPU on the 256-bit loop (for the tests: both
 * widths give the same bits).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ValueError } from '../errors.js';
import { PACKAGE_ROOT } from '../../package-root.js';
import {
  PRODUCT_OPS,
  type NativeActivatedProduct,
  type ProductExport,
  type ProductOp,
} from './product-control.js';
import type { AdamExport, VectorExports } from './vector-wasm.js';

export type NativeSetting = 0 | 1 | 'auto';

/**
 * Products below this many FLOPs (2·m·k·n) stay in WebAssembly under 'auto': the native call
 * costs about 0.1 µs more, so an 8×8×8 product (1 kFLOP) ran at 7 GFLOP/s natively against 17
 * in wasm, and 32×10×32 (20 kFLOP) at 60–75 against 15–44 (bench/kernels.ts).
 */
export const NATIVE_MIN_FLOPS = 16384;

export function parseNativeSetting(value: string | undefined): NativeSetting {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === '0' || value === '1') return Number(value) as 0 | 1;
  throw new ValueError(`GRADSCOPE_NATIVE must be 0, 1 or auto. Received: ${value}`);
}

interface Addon {
  setMemory(view: Uint8Array): void;
  product(...args: number[]): number;
  productActivated: NativeActivatedProduct;
  reluGrad: NativeReluGrad;
  columnMoments: VectorExports['columnMoments'];
  normalize: VectorExports['normalize'];
  gradSums: VectorExports['gradSums'];
  inputGrad: VectorExports['inputGrad'];
  sumRows(m: number, out: number, rows: number, cols: number): void;
  squares(x: number, n: number): number;
  adamUpdate: AdamExport;
  gatherScaled: GatherScaled;
  softmax: NativeSoftmax;
  /** 'avx512', 'avx2' or 'none' (no usable CPU feature). */
  width: string;
  /** Whether adamUpdate, reluGrad and the column passes run on this CPU (AVX-512F). */
  adam: boolean;
  threadCpuSeconds(): number;
}

export const NATIVE_FILE = fileURLToPath(
  new URL('native/build/Release/products.node', PACKAGE_ROOT),
);

/** The addon, or why it is not used. */
function loadAddon(setting: NativeSetting): Addon | string {
  if (setting === 0) return 'GRADSCOPE_NATIVE=0';
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(NATIVE_FILE) as Addon;
  } catch (cause) {
    return `${NATIVE_FILE} did not load (${(cause as Error).message.split('\n')[0]})`;
  }
  if (addon.width === 'none') return 'this CPU has neither AVX2 with FMA nor AVX-512F';
  return addon;
}

const setting = parseNativeSetting(process.env.GRADSCOPE_NATIVE);
const loaded = loadAddon(setting);
if (typeof loaded === 'string' && setting === 1) {
  throw new Error(`gradscope: GRADSCOPE_NATIVE=1, but the native products cannot run: ${loaded}`);
}
const addon = typeof loaded === 'string' ? null : loaded;

/** The native loop's register width ('avx512' or 'avx2'), or null where the products are wasm. */
export const nativeWidth: string | null = addon?.width ?? null;
/** Why the native products are not used, or null when they are. */
export const nativeUnavailable: string | null = typeof loaded === 'string' ? loaded : null;

/** Where the matrix products run, for a report's or a benchmark's header. */
export function productsDescription(): string {
  return addon === null
    ? `WebAssembly 128-bit SIMD (native kernels not used: ${nativeUnavailable})`
    : `native ${addon.width} from ${NATIVE_MIN_FLOPS} FLOPs, WebAssembly SIMD below`;
}

/** Whether a product of these dimensions runs natively. */
export function runsNatively(m: number, k: number, n: number): boolean {
  return addon !== null && (setting === 1 || 2 * m * k * n >= NATIVE_MIN_FLOPS);
}

/** The memory the addon works on in this thread. */
let heapMemory: WebAssembly.Memory | null = null;

/** Points this thread's addon at `memory`, once: one heap per thread. */
function useMemory(memory: WebAssembly.Memory): void {
  if (heapMemory === memory) return;
  // A shared memory never moves, so the address of its first byte stays valid as it grows.
  addon!.setMemory(new Uint8Array(memory.buffer));
  heapMemory = memory;
}

/**
 * The native products on `memory` (this thread's heap, or the main thread's in the product
 * helper), with the WebAssembly exports' signature. Measured, they return Σ x² over C, taken
 * after the product as the wasm pass takes it, exact where float32 squares would not be
 * (native/products.c gs_squares); a split product's pieces are not
 * measured, and `squares` takes the same sum over C after them, so 1 and 2 threads give the
 * same bits. Null where the addon does not run.
 */
export function nativeProducts(
  memory: WebAssembly.Memory,
): (Record<ProductOp, ProductExport> & { squares(c: number, n: number): number }) | null {
  if (addon === null) return null;
  useMemory(memory);
  const run =
    (op: number): ProductExport =>
    (a, b, c, m, k, n, accumulate, r0, r1, j0, j1, measure) =>
      addon.product(op, a, b, c, m, k, n, accumulate, r0, r1, j0, j1, measure);
  const products = Object.fromEntries(PRODUCT_OPS.map((op, i) => [op, run(i)]));
  return { ...(products as Record<ProductOp, ProductExport>), squares: addon.squares };
}

/**
 * Adam updates of fewer weights stay in wasm: the native call's argument conversions cost about
 * 0.2 µs, which 512 weights repay (wasm takes 0.43 ns a weight here, native/adam.c 0.14).
 */
export const NATIVE_ADAM_MIN = 512;

/**
 * The native Adam update on `memory`, with the bits and the signature of the wasm export
 * (native/adam.c); null where the addon does not run it (GRADSCOPE_NATIVE=0, no AVX-512F).
 */
export function nativeAdam(memory: WebAssembly.Memory): AdamExport | null {
  if (addon === null || !addon.adam) return null;
  useMemory(memory);
  return addon.adamUpdate;
}

/**
 * out[b·size + p] = images[indices[b]·size + p] / 255 (float32, the IEEE quotient's bits) for
 * b < count, p < size: `images` read where it lies, `indices` (int32) and `out` (float32) heap
 * byte addresses. Throws if an index points past the images.
 */
export type GatherScaled = (
  images: Uint8Array,
  indices: number,
  count: number,
  size: number,
  out: number,
) => void;

/**
 * The native image gather on `memory` (native/gather.c); null where the addon does not run. It
 * reads each image where the set lies, every line of a batch's images loaded before any is
 * converted: in place on the reference model (2026-12-03) the gather took 19–23 ms of an epoch,
 * against 41–55 ms with the wasm kernel after a staging copy.
 */
export function nativeGatherScaled(memory: WebAssembly.Memory): GatherScaled | null {
  return exportOn(memory, 'gatherScaled');
}

/** The addon's export `name`, working on `memory`; null where the addon does not run. */
function exportOn<K extends 'gatherScaled' | 'softmax' | 'productActivated' | 'reluGrad'>(
  memory: WebAssembly.Memory,
  name: K,
): Addon[K] | null {
  if (addon === null) return null;
  useMemory(memory);
  return addon[name];
}

/**
 * a = softmax(z) over `rows` rows of `cols` float32s at heap addresses z and a, with the bits of
 * the TypeScript softmax; each row's max and Σ exp(z − max) into `stats` (2 a row) unless null.
 */
export type NativeSoftmax = (
  z: number,
  a: number,
  rows: number,
  cols: number,
  stats: Float64Array | null,
) => void;

/** The native Dense forward on `memory` (above); null where the addon does not run. */
export function nativeActivatedProduct(memory: WebAssembly.Memory): NativeActivatedProduct | null {
  return exportOn(memory, 'productActivated');
}

/**
 * out = g · f′(z) for relu (f′ = 1 where z > 0, else 0) over n float32s at heap addresses z, g
 * and out, with the bits of the wasm kernel (native/activations.c).
 */
export type NativeReluGrad = (z: number, g: number, out: number, n: number) => void;

/**
 * relu's native backward on `memory`; null where the addon does not run it (no AVX-512F: the
 * wasm loop is as wide as a baseline x86 one).
 */
export function nativeReluGrad(memory: WebAssembly.Memory): NativeReluGrad | null {
  return addon?.adam === true ? exportOn(memory, 'reluGrad') : null;
}

/**
 * BatchNormalization's passes with the wasm exports' signatures and bits, and the unmeasured row
 * sums of a bias gradient: out[j] += Σ_r m[r, j] (native/columns.c).
 */
export type NativeColumnPasses = Pick<
  Addon,
  'columnMoments' | 'normalize' | 'gradSums' | 'inputGrad' | 'sumRows'
>;

/** The native column passes on `memory`; null where the addon does not run them (no AVX-512F). */
export function nativeColumnPasses(memory: WebAssembly.Memory): NativeColumnPasses | null {
  if (addon === null || !addon.adam) return null;
  useMemory(memory);
  const { columnMoments, normalize, gradSums, inputGrad, sumRows } = addon;
  return { columnMoments, normalize, gradSums, inputGrad, sumRows };
}

/**
 * The native softmax on `memory` (native/softmax.c); null where the addon does not run. On
 * 32×10 logits, 2026-12-03: 1.7 µs with AVX-512, 2.5 µs on the baseline loop, against 3.1–3.4
 * µs for the TypeScript one.
 */
export function nativeSoftmax(memory: WebAssembly.Memory): NativeSoftmax | null {
  return exportOn(memory, 'softmax');
}

/**
 * The calling thread's CPU seconds (the addon's clock_gettime), or null without the addon: for
 * benchmarks that must leave out another thread's time, which process.cpuUsage counts.
 */
export function threadCpuSeconds(): number | null {
  return addon?.threadCpuSeconds() ?? null;
}
