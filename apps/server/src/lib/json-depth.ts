/**
 * A nesting limit for JSON text, checked before `JSON.parse`: JSON nested thousands of levels deep
 * parses fine but then overflows the stack of whatever walks it (parsers, renderers, JSON.stringify).
 * No well-kept npm library limits depth (secure-json-parse guards against prototype poisoning, not
 * depth), so this scans the text once: brackets inside strings do not count, escapes are skipped.
 * Text that is not JSON is left to `JSON.parse` to reject.
 */

/** Deepest nesting of arrays and objects an ingest body may have (Ruby's JSON max_nesting default). */
export const MAX_JSON_DEPTH = 100;

/** True when arrays/objects in `text` nest deeper than `limit` levels (`[[1]]` is 2 levels). */
export function jsonDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * JSON text with every NUL character in its strings (the escape `\u0000`; JSON has no other way to
 * write one) replaced by U+FFFD. PostgreSQL's text columns cannot hold NUL ("invalid byte sequence"),
 * so a monitoring payload with one in a summary or a label failed its commit on PostgreSQL and was
 * lost; SQLite stored it. Ingest replaces it on both, so an alert reads the same on either. An escaped
 * backslash before `u0000` (the text `\\u0000`, a backslash and "u0000") is left alone.
 */
export function replaceNul(text: string): string {
  if (!text.includes('\\u0000')) return text;
  return text.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}
