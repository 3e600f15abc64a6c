/**
 * Helpers shared by the ingest parsers: reading fields out of an untrusted, already JSON-parsed body,
 * collecting every problem with its field path, and a few normalizations (truncation, timestamps,
 * severity words). Internal to ingest/: not re-exported from index.ts.
 */
import type { AlertLink, AlertSeverity } from '../alert/types.js';
import { IngestError } from './errors.js';

/** A JSON object as found in a request body. */
export type JsonObject = Record<string, unknown>;

/** Most problems one IngestError lists; the rest are counted in a last line. */
export const MAX_LISTED_PROBLEMS = 100;

/** Collects every problem found in one payload, each as "path: message", then throws them together. */
export class Problems {
  /** The problems found so far, at most MAX_LISTED_PROBLEMS of them. */
  readonly list: string[] = [];
  /** How many problems were found, listed or not. */
  count = 0;

  /** Records one problem at a field path ("" is the body itself, shown as "(root)"). */
  add(path: string, message: string): void {
    this.count += 1;
    if (this.list.length < MAX_LISTED_PROBLEMS) this.list.push(`${path === '' ? '(root)' : path}: ${message}`);
  }

  /** Throws an IngestError naming `what` and listing every problem, if any was recorded. */
  throwIfAny(what: string): void {
    if (this.count === 0) return;
    const errors = [...this.list];
    if (this.count > this.list.length) errors.push(`(root): ... and ${this.count - this.list.length} more problems`);
    const shown = errors.slice(0, 5).join('; ');
    const more = errors.length > 5 ? `; ... (${errors.length - 5} more)` : '';
    throw new IngestError(`Invalid ${what}: ${shown}${more}`, errors);
  }
}

/** Throws an IngestError for a single problem. */
export function fail(what: string, path: string, message: string): never {
  const p = new Problems();
  p.add(path, message);
  p.throwIfAny(what);
  throw new Error('unreachable');
}

/** The path of `key` inside `path`: "a.b", "a[0]", or a["odd key"] for keys that are not identifiers. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** True for a plain JSON object (not null, not an array, not a Date/Map/class instance). */
export function isObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An own property of `obj` (never one inherited from its prototype). */
export function get(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** True for a value that counts as "not given": absent or JSON null. */
export function isMissing(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** A short name for the JSON type of a value, for messages like "must be a string (got number)". */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A short, safe rendering of a value for an error message. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeName(value);
  } catch {
    text = typeName(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `text` cut to at most `max` UTF-16 code units, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * A summary as Klaxon shows it (an incident's title, a page's headline): one line, every run of
 * whitespace (newlines, tabs) collapsed to one space, none at either end, at most `max` characters.
 * Monitoring tools often send "  Disk full\n" or a multi-line description as the summary.
 */
export function oneLineSummary(text: string, max: number): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max).trimEnd();
}

/** True when a string is empty or only whitespace. */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** How a string field is checked by readString. */
export interface StringRule {
  /** Missing or null is a problem ("required"). */
  required?: boolean;
  /** What an empty or whitespace-only string means: a problem, the same as absent, or a value (default). */
  blank?: 'reject' | 'absent' | 'keep';
  /** Longest accepted length in UTF-16 code units. */
  max?: number;
  /** Cut to `max` instead of reporting a problem. */
  truncate?: boolean;
}

/** Reads an optional or required string field, recording any problem; undefined when absent or invalid. */
export function readString(obj: JsonObject, key: string, path: string, p: Problems, rule: StringRule = {}): string | undefined {
  const value = get(obj, key);
  const where = at(path, key);
  if (isMissing(value)) {
    if (rule.required) p.add(where, 'required');
    return undefined;
  }
  if (typeof value !== 'string') {
    p.add(where, `must be a string (got ${typeName(value)})`);
    return undefined;
  }
  if (isBlank(value)) {
    if (rule.blank === 'reject') {
      p.add(where, 'must not be empty');
      return undefined;
    }
    if (rule.blank === 'absent') {
      if (rule.required) p.add(where, 'required');
      return undefined;
    }
  }
  if (rule.max !== undefined && value.length > rule.max) {
    if (rule.truncate) return truncate(value, rule.max);
    p.add(where, `must be at most ${rule.max} characters (got ${value.length})`);
    return undefined;
  }
  return value;
}

/** Reads a string field that must be one of `allowed`, recording any problem. */
export function readEnum<T extends string>(obj: JsonObject, key: string, path: string, p: Problems, allowed: readonly T[], rule: { required?: boolean } = {}): T | undefined {
  const value = get(obj, key);
  const where = at(path, key);
  if (isMissing(value)) {
    if (rule.required) p.add(where, `required (one of ${allowed.map((a) => `"${a}"`).join(', ')})`);
    return undefined;
  }
  if (typeof value !== 'string') {
    p.add(where, `must be a string (got ${typeName(value)})`);
    return undefined;
  }
  if (!(allowed as readonly string[]).includes(value)) {
    p.add(where, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${show(value)})`);
    return undefined;
  }
  return value as T;
}

/** Reads an object field, recording any problem; undefined when absent or invalid. */
export function readObject(obj: JsonObject, key: string, path: string, p: Problems, rule: { required?: boolean } = {}): JsonObject | undefined {
  const value = get(obj, key);
  const where = at(path, key);
  if (isMissing(value)) {
    if (rule.required) p.add(where, 'required');
    return undefined;
  }
  if (!isObject(value)) {
    p.add(where, `must be an object (got ${typeName(value)})`);
    return undefined;
  }
  return value;
}

/** Reads an array field, recording any problem; undefined when absent or invalid. */
export function readArray(obj: JsonObject, key: string, path: string, p: Problems, rule: { required?: boolean } = {}): unknown[] | undefined {
  const value = get(obj, key);
  const where = at(path, key);
  if (isMissing(value)) {
    if (rule.required) p.add(where, 'required');
    return undefined;
  }
  if (!Array.isArray(value)) {
    p.add(where, `must be an array (got ${typeName(value)})`);
    return undefined;
  }
  return value;
}

/**
 * Reads an object whose values must all be strings (labels, annotations, Opsgenie details). With
 * `scalars`, numbers and booleans are accepted and turned into strings.
 */
export function readStringMap(obj: JsonObject, key: string, path: string, p: Problems, rule: { required?: boolean; scalars?: boolean } = {}): Record<string, string> | undefined {
  const map = readObject(obj, key, path, p, rule);
  if (!map) return undefined;
  const where = at(path, key);
  const entries: [string, string][] = [];
  let ok = true;
  for (const [k, v] of Object.entries(map)) {
    if (typeof v === 'string') entries.push([k, v]);
    else if (rule.scalars && (typeof v === 'number' || typeof v === 'boolean')) entries.push([k, String(v)]);
    else {
      p.add(at(where, k), `must be a string (got ${typeName(v)})`);
      ok = false;
    }
  }
  return ok ? Object.fromEntries(entries) : undefined;
}

/** Reads an array of strings, recording a problem for each item that is not one. */
export function readStringArray(obj: JsonObject, key: string, path: string, p: Problems): string[] | undefined {
  const list = readArray(obj, key, path, p);
  if (!list) return undefined;
  const where = at(path, key);
  let ok = true;
  list.forEach((item, i) => {
    if (typeof item !== 'string') {
      p.add(at(where, i), `must be a string (got ${typeName(item)})`);
      ok = false;
    }
  });
  return ok ? (list as string[]) : undefined;
}

/** Reads `[{href, text?}]` links, recording any problem; [] when absent. */
export function readLinks(obj: JsonObject, key: string, path: string, p: Problems): AlertLink[] {
  const list = readArray(obj, key, path, p);
  if (!list) return [];
  const where = at(path, key);
  const links: AlertLink[] = [];
  list.forEach((item, i) => {
    const itemPath = at(where, i);
    if (!isObject(item)) {
      p.add(itemPath, `must be an object with "href" (got ${typeName(item)})`);
      return;
    }
    const href = readString(item, 'href', itemPath, p, { required: true, blank: 'reject' });
    const text = readString(item, 'text', itemPath, p, { blank: 'absent' });
    if (href !== undefined) links.push(link(href, text));
  });
  return links;
}

/** A link, with `text` only when there is some. */
export function link(href: string, text?: string): AlertLink {
  return text === undefined || isBlank(text) ? { href } : { href, text };
}

/** Own entries of `pairs` whose value is defined, as an object (safe for any key, "__proto__" included). */
export function compact<V>(pairs: [string, V | undefined][]): Record<string, V> {
  return Object.fromEntries(pairs.filter((pair): pair is [string, V] => pair[1] !== undefined));
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/**
 * Epoch milliseconds of an ISO 8601 / RFC 3339 date or date-time ("2024-05-01T12:00:00.123456789Z",
 * "2015-07-17T08:42:58.315+0000", "2024-05-01"), or undefined when the text is not one. A time
 * without an offset is read as UTC; fractions beyond milliseconds are dropped.
 */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO_8601.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', , sign, oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60 || Number(oh) > 23 || Number(om) > 59) return undefined;
  const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const offsetMs = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  const value = date.getTime() - offsetMs;
  return Number.isFinite(value) ? value : undefined;
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** Words monitoring tools use for severity, mapped onto Klaxon's four (lower-case keys). */
const SEVERITY_WORDS: Readonly<Record<string, AlertSeverity>> = {
  critical: 'critical',
  crit: 'critical',
  page: 'critical',
  p1: 'critical',
  sev1: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  error: 'error',
  err: 'error',
  high: 'error',
  major: 'error',
  p2: 'error',
  sev2: 'error',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  minor: 'warning',
  p3: 'warning',
  sev3: 'warning',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  low: 'info',
  none: 'info',
  p4: 'info',
  p5: 'info',
  sev4: 'info',
  sev5: 'info',
};

/** Every severity word severityFromWord understands, for error messages and docs. */
export const SEVERITY_WORD_LIST: readonly string[] = Object.keys(SEVERITY_WORDS);

/** Klaxon's severity for a word like "critical", "P2", "warn" or "low" (case-insensitive), or undefined. */
export function severityFromWord(word: string): AlertSeverity | undefined {
  const key = word.trim().toLowerCase();
  return Object.hasOwn(SEVERITY_WORDS, key) ? SEVERITY_WORDS[key] : undefined;
}
