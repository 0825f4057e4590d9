/**
 * Checks shared by the LSTM and GRU tests: finite differences of every gradient through the
 * engine, and the float64 reference of recurrent-reference.ts for the forward pass and for
 * ∂L/∂h_t (and ∂L/∂c_t) at every step.
 */
import test from 'node:test';
import type { Recurrent } from '../../src/engine/layers/recurrent.js';
import { RandomState } from '../../src/engine/random.js';
import { Tensor } from '../../src/engine/tensor.js';
import { referenceForward, referenceStateGrads } from './recurrent-reference.js';
import type { CellKind } from './recurrent-reference.js';
import {
  assertClose,
  checkLayerGradients,
  normalValues,
  randomTensor,
  stepInfo,
} from './support.js';

/** float32 engine against the float64 reference: rounding over a few steps stays far below. */
const REFERENCE = { rtol: 1e-4, atol: 1e-5 };
const [BATCH, TIMESTEPS] = [3, 4];

/**
 * Registers the gradient tests for one cell: `make(returnSequences)` returns a built layer
 * over samples [TIMESTEPS, features] whose biases are random, so no gate sits at its default.
 */
export function gatedCellTests(
  kind: CellKind,
  label: string,
  make: (returnSequences: boolean) => Recurrent,
  cellGrads?: (layer: Recurrent) => Tensor | null,
): void {
  for (const returnSequences of [false, true]) {
    const name = `${label}(returnSequences=${returnSequences})`;
    const input = () => {
      const layer = make(returnSequences);
      const features = layer.inputShape![1];
      return { layer, x: randomTensor(new RandomState(8), [BATCH, TIMESTEPS, features]) };
    };

    test(`${name}: kernel, recurrent kernel, bias and input gradients match finite differences`, () => {
      const { layer, x } = input();
      checkLayerGradients(layer, x, () => stepInfo(true));
    });

    test(`${name}: the forward pass matches the float64 reference`, () => {
      const { layer, x } = input();
      const output = layer.forward(x, stepInfo(true)).toArray();
      assertClose(output, referenceForward(kind, layer, x), REFERENCE, `${name} output`);
    });

    const what = cellGrads ? 'hiddenGrads and cellGrads' : 'hiddenGrads';
    test(`${name}: ${what} match differences of the reference in h_t${cellGrads ? ', c_t' : ''}`, () => {
      const { layer, x } = input();
      const output = layer.forward(x, stepInfo(true));
      const w = normalValues(new RandomState(10), output.size);
      layer.backward(Tensor.fromArray(output.shape, w), false);
      const expected = referenceStateGrads(kind, layer, x, w);
      assertClose(layer.hiddenGrads!.toArray(), expected.hGrads, REFERENCE, `${name} ∂L/∂h_t`);
      if (cellGrads) {
        assertClose(cellGrads(layer)!.toArray(), expected.cGrads, REFERENCE, `${name} ∂L/∂c_t`);
      }
    });
  }
}
