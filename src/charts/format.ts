/** Text for HTML: escaping and the number format used in report tables and findings. */
import { SUPERSCRIPTS } from './axes.js';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes `text` for use in HTML content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/** Significant digits shown for non-integers. */
const SIGNIFICANT_DIGITS = 4;

/** Beyond these magnitudes a number is written as m × 10ⁿ. */
const LARGE = 1e6;
const SMALL = 1e-3;

function superscript(exponent: number): string {
  return [...String(exponent)].map((char) => SUPERSCRIPTS[char] ?? char).join('');
}

/** Drops trailing zeros after a decimal point: "0.2500" → "0.25", "50.00" → "50". */
function trimZeros(digits: string): string {
  return digits.includes('.') ? digits.replace(/\.?0+$/, '') : digits;
}

/**
 * A number as a reader wants it in a table: integers in full with thousands separators
 * (below 10⁶), others to 4 significant digits, and very large or small magnitudes as
 * "2.149 × 10⁵". Uses a true minus sign.
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  const sign = value < 0 ? '−' : '';
  if (Number.isInteger(value) && magnitude < LARGE) {
    return sign + magnitude.toLocaleString('en-US');
  }
  if (magnitude >= LARGE || magnitude < SMALL) {
    const [mantissa, exponent] = magnitude.toExponential(SIGNIFICANT_DIGITS - 1).split('e');
    return `${sign}${trimZeros(mantissa)} × 10${superscript(Number(exponent))}`;
  }
  const rounded = magnitude.toPrecision(SIGNIFICANT_DIGITS);
  // toPrecision switches to exponent form at 10⁴; past 10³ whole numbers read better.
  if (magnitude >= 1000) return sign + Number(rounded).toLocaleString('en-US');
  return sign + trimZeros(rounded);
}
