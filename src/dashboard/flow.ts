/**
 * Which scalar tags of a run describe the gradient flow, per layer. gradscope's probes write
 * `grad_norm/<layer>/kernel`, `update_ratio/<layer>/kernel` and `signal_norm/<layer>`
 * (src/probe/tags.ts); PyTorch users log `grad_norm/<module>.weight`. A layer is named by the
 * variable's path without its last part (`dense_1`, `encoder.layers.3`). Only kernels and
 * weights count: a bias's gradient is not where vanishing shows.
 */
import type { RunTags } from '../log/points.js';

export const FLOW_QUANTITIES = ['grad_norm', 'update_ratio', 'signal_norm'] as const;
export type FlowQuantity = (typeof FLOW_QUANTITIES)[number];

export const FLOW_TITLES: Readonly<Record<FlowQuantity, string>> = {
  grad_norm: '‖∂L/∂W‖',
  update_ratio: '‖ΔW‖/‖W‖',
  signal_norm: '‖∂L/∂a‖',
};

/** The tag of one layer's quantity. */
export interface FlowTag {
  layer: string;
  quantity: FlowQuantity;
  tag: string;
}

const WEIGHT_NAME = /^(.*?)(?:\/kernel(?:_\d+)?|[./]weight)$/;

/** The layer a variable name belongs to, when it is a kernel or weight; else undefined. */
export function weightLayer(variable: string): string | undefined {
  return WEIGHT_NAME.exec(variable)?.[1] || undefined;
}

/** The gradient-flow tags among `scalarTags`, with their layers. */
export function flowTags(scalarTags: readonly string[]): FlowTag[] {
  const found: FlowTag[] = [];
  for (const tag of scalarTags) {
    const slash = tag.indexOf('/');
    const quantity = tag.slice(0, slash) as FlowQuantity;
    if (slash < 0 || !FLOW_QUANTITIES.includes(quantity)) continue;
    const rest = tag.slice(slash + 1);
    const layer = quantity === 'signal_norm' ? rest : weightLayer(rest);
    if (layer) found.push({ layer, quantity, tag });
  }
  return found;
}

/**
 * The gradient-flow tags of a run in first-appearance order (`RunTags.order`): writers log a
 * model's parameters in model order, so their layers come from the input side to the output side.
 */
export function flowTagsInOrder(tags: RunTags): FlowTag[] {
  const scalars = new Set(tags.scalars);
  return flowTags(tags.order.filter((tag) => scalars.has(tag)));
}

/** Each layer once, in the order of `flow`. */
export function layersOf(flow: readonly FlowTag[]): string[] {
  return [...new Set(flow.map((f) => f.layer))];
}
