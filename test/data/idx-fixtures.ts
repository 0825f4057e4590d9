/** Small synthetic IDX files for the loader tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** An IDX file of unsigned bytes: magic 0x0000080<rank>, big-endian dims, then the data. */
export function idxBytes(dims: number[], data: Uint8Array, magic = 0x800 + dims.length): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((dim, i) => header.writeUInt32BE(dim, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

/** count images whose pixel p of image i is (7·i + p) mod 256, and labels i mod 10. */
export function syntheticSet(count: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < 784; p++) images[i * 784 + p] = (7 * i + p) % 256;
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gradscope-idx-'));
}

/** Writes a full Fashion-MNIST layout (train 5 images, test 3) into a new directory. */
export function writeSyntheticFashionMnist(gzip: boolean): string {
  const dir = tempDir();
  const suffix = gzip ? '.gz' : '';
  const pack = (bytes: Buffer): Buffer => (gzip ? gzipSync(bytes) : bytes);
  for (const [prefix, count] of [
    ['train', 5],
    ['t10k', 3],
  ] as const) {
    const { images, labels } = syntheticSet(count);
    writeFileSync(
      join(dir, `${prefix}-images-idx3-ubyte${suffix}`),
      pack(idxBytes([count, 28, 28], images)),
    );
    writeFileSync(
      join(dir, `${prefix}-labels-idx1-ubyte${suffix}`),
      pack(idxBytes([count], labels)),
    );
  }
  return dir;
}
