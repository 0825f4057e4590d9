/**
 * The sampled curves as run records, so the report reads them through the run provider as it
 * reads every other experiment. Step i is grid point i:
 *
 * | tag                                | value at step i        |
 * |------------------------------------|------------------------|
 * | `activation_curve/x`               | x_i                    |
 * | `activation_curve/value/<name>`    | f(x_i)                 |
 * | `activation_curve/derivative/<name>` | f′(x_i)              |
 *
 * Values are stored as float32, as every scalar record is.
 */
import type { RunProvider } from '../../log/provider.js';
import type { RecordSink } from '../../probe/sink.js';
import { COMPARED_ACTIVATIONS, curvesFromSamples } from './curves.js';
import type { ActivationCurves } from './curves.js';

export const X_TAG = 'activation_curve/x';

export function valueTag(name: string): string {
  return `activation_curve/value/${name}`;
}

export function derivativeTag(name: string): string {
  return `activation_curve/derivative/${name}`;
}

export function writeActivationCurves(sink: RecordSink, curves: ActivationCurves): void {
  curves.x.forEach((x, i) => sink.scalar(X_TAG, x, i));
  for (const name of COMPARED_ACTIVATIONS) {
    const { value, derivative } = curves.curves[name];
    value.forEach((v, i) => sink.scalar(valueTag(name), v, i));
    derivative.forEach((d, i) => sink.scalar(derivativeTag(name), d, i));
  }
}

export async function readActivationCurves(
  provider: RunProvider,
  run: string,
): Promise<ActivationCurves> {
  const values = async (tag: string) => (await provider.readScalars(run, tag)).map((p) => p.value);
  const entries = [];
  for (const name of COMPARED_ACTIVATIONS) {
    entries.push([
      name,
      { value: await values(valueTag(name)), derivative: await values(derivativeTag(name)) },
    ]);
  }
  return curvesFromSamples(
    await values(X_TAG),
    Object.fromEntries(entries) as ActivationCurves['curves'],
  );
}
