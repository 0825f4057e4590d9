/**
 * Prepares a standalone SVG document for inlining into an HTML page.
 *
 * Inline SVGs share the page's id namespace: two Vega charts that both define `clip1` would
 * clip each other's marks. Every id, and every reference to one, gets a per-figure prefix.
 */
import { escapeHtml } from '../charts/format.js';

const XML_PROLOG = /^\s*<\?xml[^>]*\?>\s*/;
const ID_ATTRIBUTE = /\sid="([^"]+)"/g;
const URL_REFERENCE = /url\(#([^)]+)\)/g;
const HREF_REFERENCE = /((?:xlink:)?href)="#([^"]+)"/g;

/** Prefixes every id in `svg`, and every url(#…) and href="#…" that points at one. */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(ID_ATTRIBUTE, (_match, id: string) => ` id="${prefix}-${id}"`)
    .replace(URL_REFERENCE, (_match, id: string) => `url(#${prefix}-${id})`)
    .replace(HREF_REFERENCE, (_match, attr: string, id: string) => `${attr}="#${prefix}-${id}"`);
}

/** `svg` without its XML prolog, ids scoped by `prefix`, labelled `title` for screen readers. */
export function inlineSvg(svg: string, prefix: string, title: string): string {
  const scoped = scopeSvgIds(svg.replace(XML_PROLOG, ''), prefix);
  return scoped.replace(/^<svg\b/, `<svg role="img" aria-label="${escapeHtml(title)}"`);
}
