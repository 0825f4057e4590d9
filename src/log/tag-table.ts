/**
 * Tag strings looked up by their UTF-8 bytes: a run of a million records names a few dozen
 * tags, so each is decoded once and later records find it by hashing and comparing bytes,
 * without creating a string.
 */

/** One tag of a run, and what the reader has learned about it. */
export interface TagEntry<Kind> {
  readonly name: string;
  /** Fixed by the first value that reveals it, as in TensorBoard; undefined until then. */
  kind: Kind | undefined;
}

interface Slot<Kind> {
  bytes: Uint8Array;
  entry: TagEntry<Kind>;
}

const decoder = new TextDecoder();

export class TagTable<Kind> {
  private readonly slots = new Map<number, Slot<Kind>[]>();

  /** The entry for the tag whose bytes are `bytes[start, end)`, created on first sight. */
  lookup(bytes: Uint8Array, start: number, end: number): TagEntry<Kind> {
    // FNV-1a: short tags, few of them; collisions are resolved by comparing bytes.
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    let chain = this.slots.get(hash);
    if (chain === undefined) this.slots.set(hash, (chain = []));
    for (const slot of chain) if (sameBytes(slot.bytes, bytes, start, end)) return slot.entry;
    // A copy, not `slice`: on a Buffer that is a view, and the reader reuses its buffers.
    const copy = new Uint8Array(bytes.subarray(start, end));
    const entry: TagEntry<Kind> = { name: decoder.decode(copy), kind: undefined };
    chain.push({ bytes: copy, entry });
    return entry;
  }
}

function sameBytes(known: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (known.length !== end - start) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== bytes[start + i]) return false;
  return true;
}
