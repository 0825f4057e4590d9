/**
 * Element selectors, `<variable>[i,j,…]` with one 0-based index per axis: `dense_1/kernel[0,0]`
 * is row 0 (input 0), column 0 (unit 0) of dense_1's kernel; `dense_1/bias[3]` is unit 3's bias.
 * Layers are selected by name (`layersNamed`).
 */
import { ValueError } from '../engine/errors.js';
import type { Layer } from '../engine/layers/layer.js';
import type { Variable } from '../engine/layers/variable.js';
import type { Model } from '../engine/model.js';
import { shapeToString } from '../engine/tensor.js';

export interface ElementSelector {
  /** Canonical text: no spaces, `dense_1/kernel[0,0]`. */
  readonly text: string;
  /** The variable's full name, `dense_1/kernel`. */
  readonly variable: string;
  readonly indices: readonly number[];
}

export interface ResolvedElement {
  readonly selector: ElementSelector;
  readonly variable: Variable;
  /** Row-major offset of the element in the variable's values. */
  readonly offset: number;
}

const SELECTOR = /^\s*([^[\]\s]+)\s*\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]\s*$/;

/** Parses `text`; throws a ValueError naming it when it is not `<variable>[i,j,…]`. */
export function parseElementSelector(text: string): ElementSelector {
  const match = SELECTOR.exec(text);
  if (!match) {
    throw new ValueError(
      `GradientProbes: an element selector must look like 'dense_1/kernel[0,0]'. ` +
        `Received: '${text}'`,
    );
  }
  const indices = match[2].split(',').map((index) => Number(index.trim()));
  return { text: `${match[1]}[${indices.join(',')}]`, variable: match[1], indices };
}

/**
 * Finds the selected element among `variables`; throws a ValueError naming the selector and,
 * when the indices do not fit, the variable's shape.
 */
export function resolveElement(
  selector: ElementSelector,
  variables: readonly Variable[],
): ResolvedElement {
  const variable = variables.find((v) => v.name === selector.variable);
  if (!variable) {
    throw new ValueError(
      `GradientProbes: element selector '${selector.text}' names no variable of the model. ` +
        `Expected one of: ${variables.map((v) => v.name).join(', ')}`,
    );
  }
  const shape = variable.shape;
  const fits =
    selector.indices.length === shape.length &&
    selector.indices.every((index, axis) => index < shape[axis]);
  if (!fits) {
    throw new ValueError(
      `GradientProbes: element selector '${selector.text}' does not fit ${variable.name}, ` +
        `whose shape is ${shapeToString(shape)}. Expected ${shape.length} index(es), each below ` +
        'its dimension',
    );
  }
  const offset = selector.indices.reduce((sum, index, axis) => sum * shape[axis] + index, 0);
  return { selector, variable, offset };
}

/** The layers of `model` called `names`, in that order; `owner` names the probe in errors. */
export function layersNamed(model: Model, names: readonly string[], owner: string): Layer[] {
  return names.map((name) => {
    const layer = model.layers.find((l) => l.name === name);
    if (!layer) {
      throw new ValueError(
        `${owner}: no layer '${name}' in ${model.name}. ` +
          `Expected one of: ${model.layers.map((l) => l.name).join(', ')}`,
      );
    }
    return layer;
  });
}
