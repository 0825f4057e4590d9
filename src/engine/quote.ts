/**
 * File content and user input inside error messages: at most QUOTE_MAX characters of it, so a
 * 100 MB one-line file cannot flood stderr, and invisible characters (a byte-order mark,
 * control characters) written as escapes, so the message shows what is really there.
 */

/** Characters of the quoted text kept in a message. */
export const QUOTE_MAX = 200;

// Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]/g;

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The first QUOTE_MAX characters of `text`, escaped, and a note of the length if cut. */
function shorten(text: string): { shown: string; note: string } {
  let shown = text.length > QUOTE_MAX ? text.slice(0, QUOTE_MAX) : text;
  // Never end on half of a surrogate pair.
  if (/[\ud800-\udbff]$/.test(shown)) shown = shown.slice(0, -1);
  const escaped = shown.replace(
    INVISIBLE,
    (char) => ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const note = shown.length < text.length ? `… (${text.length} characters)` : '';
  return { shown: escaped, note };
}

/** `text` cut to QUOTE_MAX characters and escaped, for names a message shows bare (paths). */
export function clip(text: string): string {
  const { shown, note } = shorten(text);
  return shown + note;
}

/** `text` cut and escaped in single quotes, for a value a message quotes: Received: 'abc'. */
export function quote(text: string): string {
  const { shown, note } = shorten(text);
  return `'${shown}'${note}`;
}
