/**
 * Renders the shared Vega-Lite specs (src/charts) into the page with vega-embed. Vega's own
 * expression compiler builds functions at run time, which the page's Content-Security-Policy
 * forbids; vega-interpreter evaluates the same expressions without it.
 */
import { logger, Warn } from 'vega';
import embed from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import type { VegaLiteSpec } from '../../charts/line.js';
import { FIRST_CHART_MARK, firstChartIn } from './first-paint.js';
import { attachHover } from './hover.js';

/**
 * Vega's warnings, less "Infinite extent" ones: a line chart's hover layer starts with no rows
 * (hover.ts), which is by design, and would warn on every chart drawn.
 */
const log = logger(Warn, undefined, (method, level, args) => {
  if (typeof args[0] === 'string' && args[0].startsWith('Infinite extent')) return;
  console[method](level, ...args);
});

const marked = new Set<string>();

/** Sets the performance mark `name` in the next frame, the first time only. */
export function markOnce(name: string): void {
  if (marked.has(name)) return;
  marked.add(name);
  requestAnimationFrame(() => performance.mark(name));
}

/** The last spec drawn into each element, so an unchanged view is not redrawn on every poll. */
const drawn = new WeakMap<HTMLElement, { key: string; finalize: () => void }>();

export async function draw(element: HTMLElement, spec: VegaLiteSpec): Promise<void> {
  const key = JSON.stringify(spec);
  const previous = drawn.get(element);
  if (previous?.key === key) return;
  previous?.finalize();
  const result = await embed(element, spec, {
    actions: false,
    renderer: 'svg',
    ast: true,
    expr: expressionInterpreter,
    logger: log,
  });
  const detach = attachHover(element, result.view, spec);
  drawn.set(element, {
    key,
    finalize: () => {
      detach();
      result.finalize();
    },
  });
  markOnce(FIRST_CHART_MARK);
  if (element.parentElement?.id) markOnce(firstChartIn(element.parentElement.id));
}

/** Replaces an element's chart with a short message. */
export function message(element: HTMLElement, text: string): void {
  drawn.get(element)?.finalize();
  drawn.delete(element);
  element.replaceChildren(paragraph(text, 'empty'));
}

export function paragraph(text: string, className = 'note'): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

/** What a chart slot shows: a spec, or a message in its place. */
export type ChartContent = VegaLiteSpec | string;

/** A chart's slot key and its content, or a function that fetches and builds it. */
export type ChartEntry = [string, ChartContent | (() => Promise<ChartContent>)];

/**
 * Resolves once the browser has painted a frame (or after 100 ms in a hidden tab, which paints
 * none): each chart shows as soon as it is drawn, before the next one takes the main thread.
 */
function painted(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}

/** Whether any of the element lies in the window. */
function onScreen(element: HTMLElement): boolean {
  const box = element.getBoundingClientRect();
  return box.bottom > 0 && box.top < window.innerHeight && box.right > 0;
}

/** One chart per key under a parent element, kept across redraws, in the order last rendered. */
export class ChartSlots {
  private readonly slots = new Map<string, HTMLElement>();

  constructor(private readonly parent: HTMLElement) {}

  /**
   * Draws each entry (a spec, or a message), then drops the slots of keys no longer there.
   * Entries given as functions are all started at once, and the charts on screen are drawn
   * first: a page of two dozen long series paints what the user sees before the rest.
   */
  async render(entries: readonly ChartEntry[]): Promise<void> {
    const keys = new Set(entries.map(([key]) => key));
    for (const [key, slot] of this.slots) {
      if (!keys.has(key)) {
        message(slot, '');
        slot.remove();
        this.slots.delete(key);
      }
    }
    const placed = entries.map(([key, content]) => {
      let slot = this.slots.get(key);
      if (!slot) {
        slot = document.createElement('div');
        slot.className = 'chart pending';
        this.slots.set(key, slot);
      }
      this.parent.append(slot);
      return { slot, content: typeof content === 'function' ? content() : content };
    });
    if (entries.length === 0)
      this.parent.replaceChildren(paragraph('Nothing to show for the selected runs.', 'empty'));
    else this.parent.querySelector(':scope > p.empty')?.remove();
    const visible = placed.filter(({ slot }) => onScreen(slot));
    const rest = placed.filter(({ slot }) => !onScreen(slot));
    for (const { slot, content } of [...visible, ...rest]) {
      const resolved = await content;
      if (typeof resolved === 'string') message(slot, resolved);
      else await draw(slot, resolved);
      slot.classList.remove('pending');
      await painted();
    }
  }
}
