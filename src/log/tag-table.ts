/**
 * Tag strings looked up by their UTF-8 bytes: a run of a million records names a few dozen
 * tags, so each is decoded once and later records find it by comparing bytes, without creating
 * a string. Writers log tags in the same order step after step, so the tag that followed the
 * previous one last time is tried first; only a miss hashes the bytes.
 */

interface Slot<Entry> {
  readonly bytes: Uint8Array;
  /** The bytes as little-endian int32 words, the last 0–3 bytes left out: compared first. */
  readonly words: Int32Array;
  readonly entry: Entry;
  /** The slot looked up right after this one, last time. */
  next: Slot<Entry> | undefined;
}

const decoder = new TextDecoder();

/** Tags by their bytes; each tag's `Entry` is made by `create` from its name on first sight. */
export class TagTable<Entry> {
  private readonly slots = new Map<number, Slot<Entry>[]>();
  private previous: Slot<Entry> | undefined;
  /** A view of the bytes last looked up in, made again only when they change (once a chunk). */
  private view: DataView = new DataView(new ArrayBuffer(0));
  private viewOf: Uint8Array | undefined;

  constructor(private readonly create: (name: string) => Entry) {}

  /** The entry for the tag whose bytes are `bytes[start, end)`, created on first sight. */
  lookup(bytes: Uint8Array, start: number, end: number): Entry {
    if (bytes !== this.viewOf) {
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.viewOf = bytes;
    }
    const guess = this.previous?.next;
    const slot =
      guess !== undefined && sameBytes(guess, bytes, this.view, start, end)
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
    for (const slot of chain) if (sameBytes(slot, bytes, this.view, start, end)) return slot;
    // A copy, not `slice`: on a Buffer that is a view, and the reader reuses its buffers.
    const copy = new Uint8Array(bytes.subarray(start, end));
    const words = new Int32Array(copy.length >> 2);
    const copyView = new DataView(copy.buffer);
    for (let w = 0; w < words.length; w++) words[w] = copyView.getInt32(4 * w, true);
    const slot: Slot<Entry> = {
      bytes: copy,
      words,
      entry: this.create(decoder.decode(copy)),
      next: undefined,
    };
    chain.push(slot);
    return slot;
  }
}

/** Whether `bytes[start, end)` (`view` over `bytes`) are the slot's bytes, 4 at a time. */
function sameBytes<Entry>(
  slot: Slot<Entry>,
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
): boolean {
  const known = slot.bytes;
  const length = known.length;
  if (length !== end - start) return false;
  const words = slot.words;
  // From the end: tags of one run often share long prefixes (`grad_norm/dense_1/…`).
  for (let i = length - 1; i >= 4 * words.length; i--)
    if (known[i] !== bytes[start + i]) return false;
  for (let w = words.length - 1; w >= 0; w--) {
    if (words[w] !== view.getInt32(start + 4 * w, true)) return false;
  }
  return true;
}
