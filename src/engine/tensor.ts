/**
 * A float32 tensor stored in the thread's heap (see heap.ts), row-major.
 *
 * A tensor either owns its block (created by `zeros`, `fromArray`, `resized`) or is a view
 * on another tensor's block (`view`), used when a batch is smaller than the capacity a layer
 * allocated. Views never release memory.
 *
 * `tidy(work)` disposes every tensor that `work` created and left undisposed, as tf.tidy: a
 * model's tensors live in the private fields of its layers, optimizer, loss and probes, and
 * the heap never shrinks, so a thread that trains one model after another reuses the blocks
 * only if each model's tensors are released when it is done.
 */
import { heap } from './heap.js';

export type Shape = readonly number[];

export function shapeSize(shape: Shape): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

export function shapeToString(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

function checkShape(shape: Shape): void {
  for (const dim of shape) {
    if (!Number.isInteger(dim) || dim < 0) {
      throw new RangeError(
        `Tensor: shape must hold non-negative integers. Received: ${shapeToString(shape)}`,
      );
    }
  }
}

/** The owning tensors created in each open `tidy`, innermost last. */
const scopes: Set<Tensor>[] = [];

export class Tensor {
  readonly shape: Shape;
  /** Number of elements, the product of `shape`. */
  readonly size: number;
  /** Byte address of the first element in the heap. */
  readonly ptr: number;
  /** Floats reserved at `ptr`; at least `size`. */
  readonly capacity: number;
  private readonly owner: boolean;
  private disposed = false;
  private cached: Float32Array | null = null;
  private cachedGeneration = -1;

  private constructor(shape: Shape, ptr: number, capacity: number, owner: boolean) {
    this.shape = Object.freeze([...shape]);
    this.size = shapeSize(shape);
    this.ptr = ptr;
    this.capacity = capacity;
    this.owner = owner;
    if (owner) scopes[scopes.length - 1]?.add(this);
  }

  static zeros(shape: Shape): Tensor {
    checkShape(shape);
    const size = shapeSize(shape);
    return new Tensor(shape, heap.alloc(size * 4), size, true);
  }

  static fromArray(shape: Shape, values: ArrayLike<number>): Tensor {
    const tensor = Tensor.zeros(shape);
    if (values.length !== tensor.size) {
      tensor.dispose();
      throw new RangeError(
        `Tensor.fromArray: shape ${shapeToString(shape)} needs ${shapeSize(shape)} values. ` +
          `Received: ${values.length}`,
      );
    }
    tensor.data.set(values);
    return tensor;
  }

  /**
   * A tensor of `shape` that reuses `previous`'s block when it is large enough, else a new
   * zeroed one (and `previous` is disposed). Layers call it each batch for their buffers.
   */
  static resized(previous: Tensor | undefined, shape: Shape): Tensor {
    if (previous && sameShape(previous.shape, shape)) return previous;
    const size = shapeSize(shape);
    if (previous && previous.owner && !previous.disposed && size <= previous.capacity) {
      // The new tensor takes over the block; the old object must not release it.
      previous.disposed = true;
      previous.cached = null;
      for (const scope of scopes) scope.delete(previous);
      return new Tensor(shape, previous.ptr, previous.capacity, true);
    }
    previous?.dispose();
    return Tensor.zeros(shape);
  }

  /**
   * The elements, as a view that stays valid until `dispose` (the heap never detaches, see
   * heap.ts). After the heap grew it is re-taken, so that `data.buffer` is the heap's current
   * buffer for code that asks whether a view lies in the heap.
   */
  get data(): Float32Array {
    if (this.disposed) throw new Error('Tensor: used after dispose()');
    if (this.cached === null || this.cachedGeneration !== heap.generation) {
      this.cached = heap.f32(this.ptr, this.size);
      this.cachedGeneration = heap.generation;
    }
    return this.cached;
  }

  /** A tensor of another shape over the same first elements. */
  view(shape: Shape): Tensor {
    checkShape(shape);
    if (shapeSize(shape) > this.capacity) {
      throw new RangeError(
        `Tensor.view: shape ${shapeToString(shape)} needs ${shapeSize(shape)} elements; ` +
          `the block holds ${this.capacity}`,
      );
    }
    return new Tensor(shape, this.ptr, this.capacity, false);
  }

  /** The `index`-th slice along the first axis, as a view (a time step of a sequence buffer). */
  slab(index: number): Tensor {
    const inner = this.shape.slice(1);
    const size = shapeSize(inner);
    if (!Number.isInteger(index) || index < 0 || index >= this.shape[0]) {
      throw new RangeError(
        `Tensor.slab: index must be in [0, ${this.shape[0]}). Received: ${index}`,
      );
    }
    return new Tensor(inner, this.ptr + index * size * 4, size, false);
  }

  /** Slices `start` … end along the first axis, as a view. */
  slabsFrom(start: number): Tensor {
    const inner = this.shape.slice(1);
    if (!Number.isInteger(start) || start < 0 || start > this.shape[0]) {
      throw new RangeError(
        `Tensor.slabsFrom: start must be in [0, ${this.shape[0]}]. Received: ${start}`,
      );
    }
    const skipped = start * shapeSize(inner);
    return new Tensor(
      [this.shape[0] - start, ...inner],
      this.ptr + skipped * 4,
      this.capacity - skipped,
      false,
    );
  }

  fill(value: number): this {
    this.data.fill(value);
    return this;
  }

  /** Copies `source`'s elements into this tensor; sizes must match. */
  copyFrom(source: Tensor): this {
    if (source.size !== this.size) {
      throw new RangeError(
        `Tensor.copyFrom: sizes differ. Expected ${this.size}, received ${source.size}`,
      );
    }
    this.data.set(source.data);
    return this;
  }

  clone(): Tensor {
    return Tensor.fromArray(this.shape, this.data);
  }

  toArray(): number[] {
    return Array.from(this.data);
  }

  /** Releases the block (owners only; views and already-disposed tensors do nothing). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cached = null;
    if (!this.owner) return;
    heap.release(this.ptr, this.capacity * 4);
    for (const scope of scopes) scope.delete(this);
  }
}

/**
 * Runs `work` and then disposes every tensor it created that is still held, except a tensor
 * it returns (which then belongs to the enclosing `tidy`, if any). Tensors that outlive
 * `work` throw on use, so a leak out of the scope is loud rather than garbage.
 */
export function tidy<T>(work: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T | undefined;
  try {
    result = work();
    return result;
  } finally {
    scopes.pop();
    for (const tensor of scope) if (tensor !== result) tensor.dispose();
    if (result instanceof Tensor && scope.has(result)) scopes[scopes.length - 1]?.add(result);
  }
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  // A loop, not `every`: layers compare their buffers' shapes every batch.
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
