import { must } from '../lib/must.js';
/**
 * The rules' template syntax: text with `{{ path }}` placeholders, where path is dot-separated names
 * over the rule context (summary, source, severity, labels.x, details.x, raw.x...). A missing value
 * renders as the empty string; a non-string value as JSON. Nothing else: no expressions, no eval.
 */
export type Template = (ctx: Record<string, unknown>) => string;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

/** Where a template is wrong, or null. A `{{` that does not start a valid placeholder is an error. */
export function templateProblem(text: string): string | null {
  const stripped = text.replace(PLACEHOLDER, '');
  const at = stripped.indexOf('{{');
  if (at >= 0) return `"{{" at or after character ${at + 1} does not start a placeholder like {{labels.instance}}`;
  return null;
}

function lookup(ctx: Record<string, unknown>, path: string[]): unknown {
  let v: unknown = ctx;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, p)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

/** Compiles a template once; rendering never throws. Throws on a malformed template. */
export function compileTemplate(text: string): Template {
  const problem = templateProblem(text);
  if (problem) throw new Error(problem);
  const parts: (string | string[])[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(must(m[1], 'm[1]').split('.'));
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return (ctx) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : show(lookup(ctx, p));
    return out;
  };
}
