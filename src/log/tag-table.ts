/**
 * Tag strings looked up by their UTF-8 bytes: a run of a million records names a few dozen
 * tags, so each is decoded once and later records find it by comparing bytes, without creating
 * a string. Writers log tags in the same order step after step, so the tag that followed the
 * previous one last time is tried first; only a miss hashes the bytes.
 */

interface Slot<Entry> {
  readonly bytes: Uint8Array;
  readonly entry: Entry;
  /** The slot looked up right after this one, last time. */
  next: Slot<Entry> | undefined;
}

const decoder = new TextDecoder();

/** Tags by their bytes; each tag's `Entry` is made by `create` from its name on first sight. */
export class TagTable<Entry> {
  private readonly slots = new Map<number, Slot<Entry>[]>();
  private previous: Slot<Entry> | undefined;

  constructor(private readonly create: (name: string) => Entry) {}

  /** The entry for the tag whose bytes are `bytes[start, end)`, created on first sight. */
  lookup(bytes: Uint8Array, start: number, end: number): Entry {
    const guess = this.previous?.next;
    const slot =
      guess !== undefined && sameBytes(guess.bytes, bytes, start, end)
        ? guess
        : this.find(bytes, start, end);
    if (this.previous !== undefined) this.previous.next = slot;
    this.previous = slot;
    return slot.entry;
  }

  private find(bytes: Uint8Array, start: number, end: number): Slot<Entry> {
    // FNV-1a, cut to 30 bits so the Map key stays a small integer; collisions compare bytes.
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    hash &= 0x3fffffff;
    let chain = this.slots.get(hash);
    if (chain === undefined) this.slots.set(hash, (chain = []));
    for (const slot of chain) if (sameBytes(slot.bytes, bytes, start, end)) return slot;
    // A copy, not `slice`: on a Buffer that is a view, and the reader reuses its buffers.
    const copy = new Uint8Array(bytes.subarray(start, end));
    const slot: Slot<Entry> = {
      bytes: copy,
      entry: this.create(decoder.decode(copy)),
      next: undefined,
    };
    chain.push(slot);
    return slot;
  }
}

function sameBytes(known: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  const length = known.length;
  if (length !== end - start) return false;
  // From the end: tags of one run often share long prefixes (`grad_norm/dense_1/…`).
  for (let i = length - 1; i >= 0; i--) if (known[i] !== bytes[start + i]) return false;
  return true;
}
