/**
 * War-room action templates: filling `{{args}}`, `{{incident.id}}`, `{{incident.number}}` and
 * `{{secrets.NAME}}` escaped for where each lands, and redacting secrets from what comes back.
 *
 *   - URL: every value is percent-encoded (a component: it cannot add a path segment, a query
 *     parameter or change the host), "." and ".." are refused (400: a path would drop them as dot
 *     segments), and placeholders may not stand in the scheme, host or port;
 *   - header values: CR, LF and other control characters become spaces (no new header lines);
 *   - JSON bodies (a Content-Type naming json, or a body starting with `{` or `[`): a placeholder
 *     inside a JSON string gets the value JSON-escaped, one outside any string becomes a JSON
 *     string: a value can never close the string and add fields;
 *   - form bodies (application/x-www-form-urlencoded): percent-encoded;
 *   - any other body: the value as is (plain text has no fields to add).
 */
import { invalid } from '../lib/errors.js';
import { must } from '../lib/must.js';

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

/** Where a value lands. */
export type Slot = 'url' | 'header' | 'json' | 'form' | 'text';

/** The escaping of a value for a slot (JSON: inside a string). */
export function escapeFor(slot: Slot, value: string): string {
  switch (slot) {
    case 'url':
    case 'form':
      return encodeURIComponent(value);
    case 'header':
      // eslint-disable-next-line no-control-regex
      return value.replace(/[\u0000-\u001f\u007f]/g, ' ');
    case 'json':
      return JSON.stringify(value).slice(1, -1);
    case 'text':
      return value;
  }
}

/** Fills placeholders in a URL, header value, form or text template. Unknown names become ''. */
export function fillTemplate(template: string, vars: Record<string, string>, slot: Exclude<Slot, 'json'>): string {
  return template.replace(PLACEHOLDER, (_, k: string) => {
    const value = vars[k] ?? '';
    // "." and ".." cannot be one URL component: in a path, URL parsing removes them (and their
    // escaped forms %2e) as dot segments, so ".." would reach another path on the host.
    if (slot === 'url' && (value === '.' || value === '..')) throw invalid(`${k} cannot be "${value}" in this action's URL: it would change the URL's path`);
    return escapeFor(slot, value);
  });
}

/**
 * Fills a JSON body template: a placeholder inside a string literal gets the JSON-escaped value,
 * one outside any string becomes a whole JSON string ("value"). Quote state is tracked with the
 * template's own escapes, so `"a \"{{args}}\""` counts as inside a string.
 */
export function fillJson(template: string, vars: Record<string, string>): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < template.length) {
    const ch = must(template[i], 'template[i]');
    if (ch === '{' && template[i + 1] === '{') {
      PLACEHOLDER.lastIndex = i;
      const m = PLACEHOLDER.exec(template);
      if (m && m.index === i) {
        const v = vars[must(m[1], 'm[1]')] ?? '';
        out += inString ? escapeFor('json', v) : JSON.stringify(v);
        i += m[0].length;
        continue;
      }
    }
    if (inString && ch === '\\') {
      out += ch + (template[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (ch === '"') inString = !inString;
    out += ch;
    i++;
  }
  PLACEHOLDER.lastIndex = 0;
  return out;
}

/** How a body template is filled, from its headers and its first character. */
export function bodySlot(headers: Record<string, string>, body: string): 'json' | 'form' | 'text' {
  const type =
    Object.entries(headers)
      .find(([k]) => k.toLowerCase() === 'content-type')?.[1]
      ?.toLowerCase() ?? '';
  if (type.includes('json')) return 'json';
  if (type.includes('x-www-form-urlencoded')) return 'form';
  if (!type && /^\s*[[{]/.test(body)) return 'json';
  return 'text';
}

/** Fills a body template for its slot. */
export function fillBody(template: string, vars: Record<string, string>, slot: 'json' | 'form' | 'text'): string {
  return slot === 'json' ? fillJson(template, vars) : fillTemplate(template, vars, slot);
}

/** True when the URL template's scheme, host and port do not depend on any placeholder. */
export function placeholdersOnlyInPathOrQuery(template: string): boolean {
  const origin = (fill: string) => {
    try {
      return new URL(template.replace(PLACEHOLDER, fill)).origin;
    } catch {
      return null;
    }
  };
  const a = origin('a');
  return a !== null && a !== 'null' && a === origin('b') && a === origin('');
}

/**
 * The forms a secret can come back in: raw, percent-encoded (upper and lower case hex, `+` for
 * spaces), JSON-escaped (also with non-ASCII as \uXXXX), and base64 and base64url at each of the
 * three byte alignments it can have inside a longer encoded text (only the characters that depend
 * on the secret's bytes alone).
 */
export function secretForms(value: string): string[] {
  const forms = new Set<string>([value]);
  const pct = encodeURIComponent(value);
  forms.add(pct);
  forms.add(pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  forms.add(pct.replace(/%20/g, '+'));
  const json = JSON.stringify(value).slice(1, -1);
  forms.add(json);
  const ascii = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  forms.add(ascii);
  forms.add(ascii.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h.toUpperCase()}`));
  const bytes = Buffer.from(value, 'utf8');
  forms.add(bytes.toString('base64'));
  forms.add(bytes.toString('base64url'));
  for (const k of [0, 1, 2]) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const total = k + bytes.length;
    const rem = total % 3;
    const end = Math.floor(total / 3) * 4 + (rem === 0 ? 0 : rem);
    const frag = b64.slice([0, 2, 3][k], end);
    if (frag.length >= 4) {
      forms.add(frag);
      forms.add(frag.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms];
}

/** Replaces every form of every secret value (3 characters or longer) in `text` with [redacted]. */
export function redact(text: string, secrets: Record<string, string>): string {
  const forms = [
    ...new Set(
      Object.values(secrets)
        .filter((s) => s.length >= 3)
        .flatMap(secretForms),
    ),
  ].sort((a, b) => b.length - a.length);
  let out = text;
  for (const form of forms) out = out.split(form).join('[redacted]');
  return out;
}
