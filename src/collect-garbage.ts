/**
 * A full garbage collection on demand, for the few places where memory that V8 does not
 * count, or counts but sees no reason to reclaim, must go before the next big allocation:
 * native objects (resvg's rendered pixels) and SharedArrayBuffers that a finished experiment
 * dropped (Fashion-MNIST, 52 MB), which an idle main thread would otherwise keep until its
 * next major collection. V8's `gc` is exposed once, for a fresh context, at first use.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null = null;

export function collectGarbage(): void {
  if (gc === null) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
