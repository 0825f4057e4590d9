/**
 * The heap: one WebAssembly.Memory per thread that holds every tensor, so the SIMD kernels
 * read and write tensors in place, with no copy per operation.
 *
 * Why a view taken from the heap stays valid across allocations: the memory is *shared*.
 * Growing an unshared WebAssembly.Memory detaches its old ArrayBuffer, so every Float32Array
 * taken before the grow reads as empty (undefined → NaN) — a layer that took a view and then
 * allocated its output trained on NaN without a word. A shared memory never detaches: growing
 * it only makes `memory.buffer` a new, longer SharedArrayBuffer over the same bytes, and views
 * on the old one keep reading and writing their elements. So no layer, loss, optimizer, probe
 * or kernel wrapper has to order its views after its allocations. Only two things still follow
 * the growth: `memory.buffer` must be re-read to reach bytes above the old length (`f32` does),
 * and `view.buffer === memory.buffer` holds only for views taken since the last grow.
 * The kernels are compiled to import a shared memory (`--sharedMemory`, see build:wasm).
 * Each thread has its own heap. The one exception to "one thread": the product helper thread
 * (kernels/threads.ts) is given this thread's memory and runs kernels on it, on blocks this heap
 * allocated; it never allocates, so the free list stays this thread's alone.
 *
 * Stress mode: with the environment variable GRADSCOPE_HEAP_STRESS=1 (or `stress: true`),
 * every allocation grows the memory by one page, so every allocation changes `memory.buffer`,
 * as the rarest real grow would. CI runs the whole suite once more in this mode. A page per
 * allocation is the least a grow can be, and wasm32 stops at 65,536 pages (4 GiB), so stress
 * growth stops at half of that (about 32,000 allocations into a process: every test file
 * but the kernel grids stays under it) and leaves the other half for the tensors. Grown pages
 * that no block reaches are never touched: they cost address space, not resident memory.
 */

const PAGE_BYTES = 65536;
/** The first page stays free for the kernels' own static data. */
const RESERVED_BYTES = PAGE_BYTES;
/** 16-byte alignment lets the kernels use aligned 128-bit loads. */
const ALIGN = 16;
/** 4 GiB is WebAssembly's 32-bit limit. */
const MAX_PAGES = 65536;
/** Stress mode grows no further than this, so that real growth always has room. */
const STRESS_MAX_PAGES = MAX_PAGES / 2;

export interface HeapArgs {
  /** Pages (64 KiB) to start with. Defaults to 256 (16 MiB). */
  initialPages?: number;
  /** Grow by one page on every allocation. Defaults to GRADSCOPE_HEAP_STRESS=1 in the environment. */
  stress?: boolean;
}

const DEFAULT_INITIAL_PAGES = 256;

interface FreeBlock {
  ptr: number;
  bytes: number;
}

export class Heap {
  readonly memory: WebAssembly.Memory;
  /** Whether every allocation grows the memory (see the stress mode above). */
  readonly stress: boolean;
  /** Every `memory.buffer` so far (one per grow), for `owns`. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  /** Incremented each time the memory grows (and so `memory.buffer` is a new object). */
  generation = 0;
  private top = RESERVED_BYTES;
  /** The highest `top` so far: memory above it has never been handed out. */
  private highWater = RESERVED_BYTES;
  /** Freed blocks, sorted by address, neighbours merged. */
  private freeList: FreeBlock[] = [];
  private allocatedBytes = 0;

  constructor(args: HeapArgs = {}) {
    const initial = args.initialPages ?? DEFAULT_INITIAL_PAGES;
    this.memory = new WebAssembly.Memory({ initial, maximum: MAX_PAGES, shared: true });
    this.stress = args.stress ?? process.env.GRADSCOPE_HEAP_STRESS === '1';
    this.buffers.add(this.memory.buffer);
  }

  /**
   * Whether `buffer` is one of this heap's: `memory.buffer` is a new object after each grow,
   * over the same bytes, so a view taken before a grow is on the heap although its buffer is
   * not the current one.
   */
  owns(buffer: ArrayBufferLike): boolean {
    return this.buffers.has(buffer);
  }

  /** Bytes held by live allocations. */
  get liveBytes(): number {
    return this.allocatedBytes;
  }

  /** Reserves `bytes` (rounded up to 16) and returns the block's byte address. Zero-filled. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new RangeError(`Heap.alloc: bytes must be a non-negative integer. Received: ${bytes}`);
    }
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    if (this.stress && this.memory.buffer.byteLength < STRESS_MAX_PAGES * PAGE_BYTES) {
      this.grow(1);
    }
    const index = this.freeList.findIndex((block) => block.bytes >= size);
    if (index >= 0) {
      const block = this.freeList[index];
      const ptr = block.ptr;
      if (block.bytes === size) this.freeList.splice(index, 1);
      else this.freeList[index] = { ptr: ptr + size, bytes: block.bytes - size };
      new Uint8Array(this.memory.buffer, ptr, size).fill(0);
      this.allocatedBytes += size;
      return ptr;
    }
    const ptr = this.top;
    this.ensureCapacity(ptr + size);
    this.top = ptr + size;
    // Below the high-water mark lie released blocks' old values; pages grown later come zeroed.
    if (ptr < this.highWater) {
      new Uint8Array(this.memory.buffer, ptr, Math.min(size, this.highWater - ptr)).fill(0);
    }
    this.highWater = Math.max(this.highWater, this.top);
    this.allocatedBytes += size;
    return ptr;
  }

  /** Returns a block from `alloc` to the heap. */
  release(ptr: number, bytes: number): void {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    this.allocatedBytes -= size;
    if (ptr + size === this.top) {
      this.top = ptr;
      this.shrinkTop();
      return;
    }
    let index = this.freeList.findIndex((block) => block.ptr > ptr);
    if (index < 0) index = this.freeList.length;
    this.freeList.splice(index, 0, { ptr, bytes: size });
    this.mergeAround(index);
  }

  /** A Float32Array over `length` floats at `ptr`; it stays valid while the block is held. */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  /** A Float64Array over `length` doubles at `ptr` (8-aligned, as every block is). */
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length);
  }

  private ensureCapacity(endByte: number): void {
    const have = this.memory.buffer.byteLength;
    if (endByte <= have) return;
    const neededPages = Math.ceil((endByte - have) / PAGE_BYTES);
    // Grow at least by half again, so a model that allocates batch by batch grows rarely.
    const currentPages = have / PAGE_BYTES;
    const pages = Math.min(
      MAX_PAGES - currentPages,
      Math.max(neededPages, Math.ceil(currentPages / 2)),
    );
    if (pages < neededPages) {
      throw new RangeError(
        `Heap: cannot grow past 4 GiB. Requested: ${endByte} bytes, have ${have} bytes`,
      );
    }
    this.grow(pages);
  }

  private grow(pages: number): void {
    this.memory.grow(pages);
    this.buffers.add(this.memory.buffer);
    this.generation++;
  }

  private mergeAround(index: number): void {
    const list = this.freeList;
    const next = list[index + 1];
    if (next && list[index].ptr + list[index].bytes === next.ptr) {
      list[index].bytes += next.bytes;
      list.splice(index + 1, 1);
    }
    const prev = list[index - 1];
    if (prev && prev.ptr + prev.bytes === list[index].ptr) {
      prev.bytes += list[index].bytes;
      list.splice(index, 1);
    }
  }

  /** After the top block is released, free blocks that now touch the top join it. */
  private shrinkTop(): void {
    const last = this.freeList[this.freeList.length - 1];
    if (last && last.ptr + last.bytes === this.top) {
      this.top = last.ptr;
      this.freeList.pop();
    }
  }
}

/** The heap of this thread. Worker threads each have their own. */
export const heap = new Heap();
