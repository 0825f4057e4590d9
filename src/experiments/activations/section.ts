/** The report section on activation functions: curves, derivatives and what they imply. */
import { lineChart } from '../../charts/line.js';
import { formatNumber as f } from '../../charts/format.js';
import type { Figure, ReportSection, Table } from '../../report/types.js';
import { COMPARED_ACTIVATIONS, ACTIVATIONS, type ActivationCurves, VANISHED } from './curves.js';
import { LEAKY_RELU_ALPHA } from '../../engine/activations.js';

/** Inputs at which the table lists every derivative. */
const TABLE_X = [-5, -2, -1, 0, 1, 2, 5];

/** Stacked layers shown in the shrinkage figure. */
const MAX_LAYERS = 10;

function curveFigure(r: ActivationCurves, kind: 'value' | 'derivative'): Figure {
  const data = COMPARED_ACTIVATIONS.flatMap((name) =>
    r.x.map((x, i) => ({ x, y: r.curves[name][kind][i], activation: name })),
  );
  const sigmoidPeak = r.derivativePeaks.sigmoid.value;
  const isValue = kind === 'value';
  return {
    id: isValue ? 'activation-functions' : 'activation-derivatives',
    title: isValue ? 'Activation functions' : 'Derivatives of the activation functions',
    caption: isValue
      ? 'Each activation f(x) on the same axes.'
      : `f′(x): the factor by which each layer scales the gradient passing back through it. ` +
        `The dashed line marks sigmoid′'s maximum, ${f(sigmoidPeak)}.`,
    spec: lineChart({
      title: isValue ? 'f(x)' : 'f′(x)',
      x: { field: 'x', title: 'x (pre-activation)' },
      y: { field: 'y', title: isValue ? 'f(x)' : 'f′(x)' },
      series: 'activation',
      data,
      rules: isValue ? [] : [{ value: sigmoidPeak, label: `max sigmoid′ = ${f(sigmoidPeak)}` }],
    }),
  };
}

function shrinkFigure(r: ActivationCurves): Figure {
  const peak = r.derivativePeaks.sigmoid.value;
  const data = Array.from({ length: MAX_LAYERS }, (_, i) => ({
    layers: i + 1,
    factor: peak ** (i + 1),
  }));
  return {
    id: 'activation-sigmoid-depth',
    title: 'Best case for a gradient through stacked sigmoid layers',
    caption:
      `(max sigmoid′)ⁿ = ${f(peak)}ⁿ: the most a gradient can keep after n sigmoid layers, ` +
      `weights aside (log scale). The dashed line is ${f(VANISHED)}.`,
    spec: lineChart({
      title: `${f(peak)}ⁿ after n sigmoid layers`,
      x: { field: 'layers', title: 'stacked sigmoid layers n', format: 'd' },
      y: { field: 'factor', title: 'gradient factor', scale: 'log' },
      data,
      points: true,
      rules: [{ value: VANISHED, label: f(VANISHED) }],
    }),
  };
}

function tables(r: ActivationCurves): Table[] {
  return [
    {
      caption:
        "Derivative f′(x) at selected inputs (ReLU′(0) = 0 and LeakyReLU′(0) = alpha, as TensorFlow's).",
      columns: ['activation', ...TABLE_X.map((x) => `x = ${f(x)}`), 'max f′', 'at x'],
      rows: COMPARED_ACTIVATIONS.map((name) => [
        name,
        ...TABLE_X.map((x) => ACTIVATIONS[name].der(x)),
        r.derivativePeaks[name].value,
        r.derivativePeaks[name].at,
      ]),
    },
    {
      caption: 'Best-case gradient factor after n stacked sigmoid layers.',
      columns: ['n', '(max sigmoid′)ⁿ'],
      rows: Array.from({ length: MAX_LAYERS }, (_, i) => [
        i + 1,
        r.derivativePeaks.sigmoid.value ** (i + 1),
      ]),
    },
  ];
}

function findings(r: ActivationCurves): string[] {
  const { sigmoid, tanh } = r.derivativePeaks;
  const n = r.sigmoidLayersToThousandth;
  const edge = r.x[r.x.length - 1];
  return [
    `sigmoid′ peaks at ${f(sigmoid.value)} (at x = ${f(sigmoid.at)}) and tanh′ at ` +
      `${f(tanh.value)} (at x = ${f(tanh.at)}); at x = ${f(edge)} they are down to ` +
      `${f(r.curves.sigmoid.derivative.at(-1) ?? NaN)} and ${f(r.curves.tanh.derivative.at(-1) ?? NaN)}.`,
    `Each sigmoid layer multiplies the backpropagated gradient by at most ${f(sigmoid.value)}, ` +
      `so ${n} stacked layers shrink it below ${f(VANISHED)} even in the best case ` +
      `(${f(sigmoid.value)}^${n} = ${f(sigmoid.value ** n)}): the vanishing gradient.`,
    `ReLU′ and LeakyReLU′ are exactly 1 for every positive input, so the gradient passes ` +
      `through any number of active layers unshrunk; for negative inputs ReLU′ is 0 (a dead ` +
      `unit) while LeakyReLU′ keeps ${f(LEAKY_RELU_ALPHA)}.`,
  ];
}

/** The activation-function comparison as a report section. */
export function activationsSection(r: ActivationCurves): ReportSection {
  return {
    id: 'activations',
    title: 'Why sigmoid gradients vanish: activation derivatives',
    intro:
      'Backpropagation multiplies the gradient by the activation derivative f′(x) at every ' +
      'layer. The curves below are sampled on ' +
      `${r.x.length} points from x = ${f(r.x[0])} to ${f(r.x[r.x.length - 1])}. ` +
      `LeakyReLU uses alpha = ${f(LEAKY_RELU_ALPHA)} (keras.activations.leaky_relu's default); GELU is the ` +
      'exact form x·Φ(x) with the erf-based normal CDF (Keras default, approximate=False).',
    findings: findings(r),
    figures: [curveFigure(r, 'value'), curveFigure(r, 'derivative'), shrinkFigure(r)],
    tables: tables(r),
  };
}
