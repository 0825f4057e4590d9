/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017) from its official IDX files: 60,000 training
 * and 10,000 test images of 28×28 grey-scale clothing, ten classes.
 *
 * Where the files are looked for, in order: `dir` (the CLI's --data-dir), the environment
 * variable GRADSCOPE_FASHION_MNIST_DIR, then DEFAULT_FASHION_MNIST_DIRS — where Debian's
 * `dataset-fashion-mnist` package and Keras's download cache put them. Each file may be
 * gzip-compressed (`.gz`, as distributed) or not.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { clip } from '../engine/quote.js';
import { DataError } from './errors.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdxFile, type IdxArgs } from './idx.js';
import type { ImageSet } from './image-set.js';

export { gatherImageBatch, type ImageSet } from './image-set.js';

export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export interface FashionMnist {
  train: ImageSet;
  test: ImageSet;
}

export const FASHION_MNIST_ENV = 'GRADSCOPE_FASHION_MNIST_DIR';

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Debian's package location, then Keras's cache. */
export const DEFAULT_FASHION_MNIST_DIRS: readonly string[] = [
  DEBIAN_FASHION_MNIST_DIR,
  join(homedir(), '.keras', 'datasets', 'fashion-mnist'),
];

/** The four official file names, without the optional `.gz`. */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

type FileKey = keyof typeof FASHION_MNIST_FILES;

export const FASHION_MNIST_HELP = [
  'Fashion-MNIST can be provided in three ways:',
  '  1. Debian package: apt-get install dataset-fashion-mnist (installs the official files',
  '     in /usr/share/datasets/fashion-mnist/);',
  "  2. Keras's cache: the files keras.datasets.fashion_mnist.load_data() downloads to",
  '     ~/.keras/datasets/fashion-mnist/;',
  `  3. any directory holding the four files, given with --data-dir DIR or ${FASHION_MNIST_ENV}.`,
  `  Files: ${Object.values(FASHION_MNIST_FILES).join(', ')} (each optionally .gz).`,
].join('\n');

export interface FashionMnistLocateArgs {
  /** A directory that must hold the files (the --data-dir flag). Defaults to none. */
  dir?: string;
  /** Places searched after `dir` and the variable. Defaults to DEFAULT_FASHION_MNIST_DIRS. */
  searchPaths?: readonly string[];
}

/** Paths of the four files in `dir` (plain name preferred over `.gz`), or the names missing. */
function resolveFiles(dir: string): { files: FashionMnistFiles } | { missing: string[] } {
  const files: Partial<Record<FileKey, string>> = {};
  const missing: string[] = [];
  for (const [key, name] of Object.entries(FASHION_MNIST_FILES) as [FileKey, string][]) {
    const found = [name, `${name}.gz`].map((file) => join(dir, file)).find(existsSync);
    if (found) files[key] = found;
    else missing.push(`${name}[.gz]`);
  }
  return missing.length ? { missing } : { files: files as FashionMnistFiles };
}

type Located = { dir: string; files: FashionMnistFiles };

function locate(args: FashionMnistLocateArgs): Located | null {
  const env = process.env[FASHION_MNIST_ENV];
  const explicit = args.dir ?? (env || undefined);
  if (explicit !== undefined) {
    const found = resolveFiles(explicit);
    if ('missing' in found) {
      const origin = args.dir !== undefined ? 'data directory' : `${FASHION_MNIST_ENV} directory`;
      throw new DataError(
        `Fashion-MNIST: ${origin} ${clip(explicit)} lacks ${found.missing.join(', ')}.\n` +
          FASHION_MNIST_HELP,
      );
    }
    return { dir: explicit, files: found.files };
  }
  for (const dir of args.searchPaths ?? DEFAULT_FASHION_MNIST_DIRS) {
    const found = resolveFiles(dir);
    if ('files' in found) return { dir, files: found.files };
  }
  return null;
}

/**
 * The directory holding all four files, or null if none of the searched places does. A `dir`
 * or environment variable that is set but lacks files is an error, not a reason to look on.
 */
export function findFashionMnistDir(args: FashionMnistLocateArgs = {}): string | null {
  return locate(args)?.dir ?? null;
}

function invalid(message: string): DataError {
  return new DataError(`${message}\n${FASHION_MNIST_HELP}`);
}

export interface LoadFashionMnistArgs extends FashionMnistLocateArgs {
  /**
   * Put the images and labels in SharedArrayBuffers, so that worker threads read them without
   * a copy. Defaults to false.
   */
  shared?: boolean;
}

/** Paths of the four files, by role. */
export type FashionMnistFiles = Record<FileKey, string>;

async function readSet(
  imagesPath: string,
  labelsPath: string,
  allocate: IdxArgs['allocate'],
): Promise<ImageSet> {
  const [images, labels] = await Promise.all([
    readIdxFile(imagesPath, {
      magic: IDX_IMAGES_MAGIC,
      content: 'pixels',
      hint: FASHION_MNIST_HELP,
      allocate,
    }),
    readIdxFile(labelsPath, {
      magic: IDX_LABELS_MAGIC,
      content: 'labels',
      hint: FASHION_MNIST_HELP,
      allocate,
    }),
  ]);
  const [count, rows, cols] = images.dims;
  if (rows !== 28 || cols !== 28) {
    throw invalid(`${clip(imagesPath)}: expected 28×28 images, found ${rows}×${cols}`);
  }
  if (labels.dims[0] !== count) {
    throw invalid(
      `${clip(labelsPath)}: expected ${count} labels (one per image in ${clip(imagesPath)}), ` +
        `found ${labels.dims[0]}`,
    );
  }
  const bad = labels.data.findIndex((label) => label >= FASHION_MNIST_CLASS_NAMES.length);
  if (bad >= 0) {
    throw invalid(
      `${clip(labelsPath)}: labels must be 0–9, found ${labels.data[bad]} at index ${bad}`,
    );
  }
  return { images: images.data, labels: labels.data, count, rows, cols };
}

/** Reads and checks the four files, all at once; `allocate` as in IdxArgs. */
export async function readFashionMnistFiles(
  files: FashionMnistFiles,
  allocate?: IdxArgs['allocate'],
): Promise<FashionMnist> {
  const [train, test] = await Promise.all([
    readSet(files.trainImages, files.trainLabels, allocate),
    readSet(files.testImages, files.testLabels, allocate),
  ]);
  return { train, test };
}

/** What the reader thread (fashion-mnist-reader.ts) posts back. */
export type FashionMnistReaderMessage =
  { data: FashionMnist } | { error: { message: string; dataError: boolean } };

/**
 * Reads into SharedArrayBuffers in a short-lived worker thread. Inflating leaves about 60 MB
 * of dead buffers behind, which an idle main thread would keep until its next full garbage
 * collection (all through training); the reader thread's end frees them at once.
 */
function readSharedInWorker(files: FashionMnistFiles): Promise<FashionMnist> {
  const reader = new Worker(new URL('./fashion-mnist-reader.js', import.meta.url), {
    workerData: files,
  });
  return new Promise((resolve, reject) => {
    reader.once('message', (message: FashionMnistReaderMessage) => {
      if ('data' in message) resolve(message.data);
      else {
        const { message: text, dataError } = message.error;
        reject(dataError ? new DataError(text) : new Error(text));
      }
    });
    reader.once('error', reject);
    reader.once('exit', (code) =>
      reject(new Error(`Fashion-MNIST reader exited with code ${code}`)),
    );
  });
}

/**
 * Loads both splits, reading the files in parallel; throws a DataError explaining how to get
 * the data if it is missing.
 */
export async function loadFashionMnist(args: LoadFashionMnistArgs = {}): Promise<FashionMnist> {
  const located = locate(args);
  if (located === null) {
    const searched = (args.searchPaths ?? DEFAULT_FASHION_MNIST_DIRS).map(clip).join(', ');
    throw new DataError(`Fashion-MNIST not found (searched ${searched}).\n${FASHION_MNIST_HELP}`);
  }
  return args.shared ? readSharedOnce(located.files) : readFashionMnistFiles(located.files);
}

/**
 * Shared reads still held somewhere, by their files: `seed` prepares fashion and depth, and
 * both would otherwise hold a 55 MB copy of the same files through the whole job. Weakly
 * held, so the data goes once the last experiment that uses it is done.
 */
const sharedReads = new Map<string, WeakRef<FashionMnist>>();

async function readSharedOnce(files: FashionMnistFiles): Promise<FashionMnist> {
  const key = JSON.stringify(files);
  const held = sharedReads.get(key)?.deref();
  if (held) return held;
  const data = await readSharedInWorker(files);
  sharedReads.set(key, new WeakRef(data));
  return data;
}
