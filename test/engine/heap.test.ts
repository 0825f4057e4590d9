import test from 'node:test';
import assert from 'node:assert/strict';
import { Heap, heap } from '../../src/engine/heap.js';
import { Tensor } from '../../src/engine/tensor.js';

const PAGE = 65536;

test('alloc returns 16-byte aligned blocks above the reserved first page', () => {
  const h = new Heap({ initialPages: 4 });
  let previous = 0;
  for (const bytes of [1, 3, 16, 17, 100, 0, 4096, 5]) {
    const ptr = h.alloc(bytes);
    assert.equal(ptr % 16, 0, `alloc(${bytes}) at ${ptr}`);
    assert.ok(ptr >= PAGE && ptr >= previous, `alloc(${bytes}) at ${ptr}`);
    previous = ptr + Math.max(16, bytes);
  }
  assert.throws(() => h.alloc(2.5), {
    message: 'Heap.alloc: bytes must be a non-negative integer. Received: 2.5',
  });
});

test('a released block comes back zero-filled, from the free list or from the top', () => {
  const h = new Heap({ initialPages: 4 });
  const a = h.alloc(64);
  const b = h.alloc(64);
  h.f32(a, 16).fill(7);
  h.f32(b, 16).fill(9);
  h.release(a, 64); // a sits below b: it goes on the free list
  assert.equal(h.alloc(64), a);
  assert.deepEqual(Array.from(h.f32(a, 16)), new Array(16).fill(0));
  h.release(b, 64); // b is the top block: the top moves down over it
  assert.equal(h.alloc(64), b);
  assert.deepEqual(Array.from(h.f32(b, 16)), new Array(16).fill(0));
});

test('neighbouring free blocks merge, so a block of their joint size reuses the space', () => {
  const h = new Heap({ initialPages: 4 });
  const a = h.alloc(48);
  const b = h.alloc(80);
  const c = h.alloc(16); // keeps a and b off the top
  h.release(b, 80);
  h.release(a, 48);
  assert.equal(h.liveBytes, 16);
  assert.equal(h.alloc(128), a);
  assert.ok(h.alloc(16) > c, 'the merged block is used up, the next one comes from the top');
});

test('releasing the top block also returns free blocks that touch it to the top', () => {
  const h = new Heap({ initialPages: 4 });
  const a = h.alloc(32);
  const b = h.alloc(32);
  const c = h.alloc(32);
  h.release(b, 32);
  h.release(c, 32);
  assert.equal(h.alloc(16), b, 'b and c are gone from the top: the next block starts at b');
  assert.ok(a < b);
});

test('growing keeps earlier views valid: they read and write the same bytes as fresh ones', () => {
  const h = new Heap({ initialPages: 2, stress: false });
  const ptr = h.alloc(16);
  const before = h.f32(ptr, 4);
  before.set([1, 2, 3, 4]);
  const buffer = h.memory.buffer;
  assert.equal(h.generation, 0);
  h.alloc(2 * PAGE); // more than the second page holds
  assert.equal(h.generation, 1);
  assert.ok(h.memory.buffer.byteLength >= 3 * PAGE);
  assert.notEqual(h.memory.buffer, buffer, 'memory.buffer is a new, longer buffer');
  assert.equal(before.length, 4, 'a view from before the grow is not detached');
  before[1] = -2;
  assert.deepEqual(Array.from(h.f32(ptr, 4)), [1, -2, 3, 4]);
});

test('stress mode grows the memory by one page on every allocation, reused blocks included', () => {
  const h = new Heap({ initialPages: 2, stress: true });
  const pages = () => h.memory.buffer.byteLength / PAGE;
  const a = h.alloc(64);
  h.alloc(16); // keeps a off the top, so its block goes on the free list
  assert.deepEqual([h.generation, pages()], [2, 4]);
  h.release(a, 64);
  assert.equal(h.alloc(64), a);
  assert.deepEqual([h.generation, pages()], [3, 5]);
});

test('a Tensor view taken before an allocation that grows the heap stays valid', () => {
  const t = Tensor.fromArray([2, 3], [1, -2, 3.5, 4, 5, 6]);
  const view = t.view([3]);
  const held = t.data;
  const generation = heap.generation;
  const huge = Tensor.zeros([heap.memory.buffer.byteLength / 4]);
  assert.ok(heap.generation > generation);
  assert.deepEqual(Array.from(held), [1, -2, 3.5, 4, 5, 6]);
  held[0] = 7;
  assert.deepEqual(t.toArray(), [7, -2, 3.5, 4, 5, 6]);
  assert.deepEqual(view.toArray(), [7, -2, 3.5]);
  assert.equal(t.data.buffer, heap.memory.buffer, 'data is re-taken on the current buffer');
  huge.dispose();
  t.dispose();
});

test('Tensor.resized reuses the block while it is large enough and zero-fills a new one', () => {
  const first = Tensor.fromArray([4, 8], new Array(32).fill(5));
  const blocker = Tensor.zeros([1]); // keeps first's block off the top of the heap
  assert.equal(Tensor.resized(first, [4, 8]), first, 'same shape: the same tensor');
  const smaller = Tensor.resized(first, [2, 8]);
  assert.equal(smaller.ptr, first.ptr);
  assert.equal(smaller.capacity, 32);
  assert.deepEqual(smaller.shape, [2, 8]);
  assert.throws(() => first.data, { message: 'Tensor: used after dispose()' });
  const back = Tensor.resized(smaller, [4, 8]);
  assert.equal(back.ptr, first.ptr, 'capacity 32 still holds 4×8');
  const live = heap.liveBytes;
  const larger = Tensor.resized(back, [5, 8]);
  assert.notEqual(larger.ptr, first.ptr);
  assert.equal(larger.capacity, 40);
  assert.deepEqual(larger.toArray(), new Array(40).fill(0));
  assert.equal(heap.liveBytes, live - 32 * 4 + 40 * 4, 'the old block was released');
  assert.equal(Tensor.resized(undefined, [3]).size, 3);
  larger.dispose();
  blocker.dispose();
});

test('view shares the block, checks its shape and never releases memory', () => {
  const t = Tensor.zeros([4, 8]);
  const v = t.view([2, 16]);
  v.data[17] = 42;
  assert.equal(t.data[17], 42);
  assert.throws(() => t.view([5, 8]), {
    name: 'RangeError',
    message: 'Tensor.view: shape [5,8] needs 40 elements; the block holds 32',
  });
  assert.throws(() => t.view([2, -1]), {
    message: 'Tensor: shape must hold non-negative integers. Received: [2,-1]',
  });
  const live = heap.liveBytes;
  v.dispose();
  assert.equal(heap.liveBytes, live);
  assert.equal(t.data[17], 42);
  t.dispose();
  assert.equal(heap.liveBytes, live - 32 * 4);
});

test('a view taken before a grow still counts as on the heap; other buffers do not', () => {
  const h = new Heap({ initialPages: 2, stress: false });
  const early = h.f32(h.alloc(64), 16);
  h.alloc(4 * 65536); // grows: memory.buffer is a new object from here on
  assert.notEqual(early.buffer, h.memory.buffer);
  assert.ok(h.owns(early.buffer));
  assert.ok(h.owns(h.memory.buffer));
  assert.ok(!h.owns(new Float32Array(16).buffer));
  assert.ok(!h.owns(new SharedArrayBuffer(64)));
  assert.ok(!new Heap({ initialPages: 1 }).owns(early.buffer), 'another heap’s buffer is not ours');
});
