/**
 * The heap: one WebAssembly.Memory per thread that holds every tensor, so the SIMD kernels
 * read and write tensors in place, with no copy per operation.
 *
 * Growing a WebAssembly.Memory detaches its old ArrayBuffer. Every Float32Array view taken
 * before a grow is then empty, so tensors never keep a view across allocations: they ask the
 * heap for one and the heap hands out a fresh view whenever `generation` has moved on.
 */

const PAGE_BYTES = 65536;
/** The first page stays free for the kernels' own static data. */
const RESERVED_BYTES = PAGE_BYTES;
/** 16-byte alignment lets the kernels use aligned 128-bit loads. */
const ALIGN = 16;
/** 4 GiB is WebAssembly's 32-bit limit. */
const MAX_PAGES = 65536;

interface FreeBlock {
  ptr: number;
  bytes: number;
}

export class Heap {
  readonly memory: WebAssembly.Memory;
  /** Incremented each time the memory grows (and so every earlier view detaches). */
  generation = 0;
  private top = RESERVED_BYTES;
  /** The highest `top` so far: memory above it has never been handed out. */
  private highWater = RESERVED_BYTES;
  /** Freed blocks, sorted by address, neighbours merged. */
  private freeList: FreeBlock[] = [];
  private allocatedBytes = 0;

  constructor(initialPages = 256) {
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES });
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

  /** A Float32Array over `length` floats at `ptr`, valid until the next allocation that grows. */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
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
    this.memory.grow(pages);
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
