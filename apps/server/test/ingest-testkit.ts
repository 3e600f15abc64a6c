/** Test helpers for the ingest parsers' tests: well-formedness checks and payload mutation for property tests. */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ALERT_SEVERITIES, type AlertEvent } from '../src/alert/types.js';
import { IngestError } from '../src/ingest/errors.js';

/** Limits an event is checked against. */
export interface EventLimits {
  /** Longest dedup key (255, or 512 for Opsgenie aliases). */
  maxDedupKey: number;
  /** Longest summary (1024, or 130 for Opsgenie). */
  maxSummary: number;
}

const DEFAULT_LIMITS: EventLimits = { maxDedupKey: 255, maxSummary: 1024 };

/** True for a plain object (the shape details and fields must have). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Asserts that an event honours the AlertEvent contract. */
export function expectWellFormed(event: AlertEvent, limits: Partial<EventLimits> = {}): void {
  const { maxDedupKey, maxSummary } = { ...DEFAULT_LIMITS, ...limits };
  expect(['trigger', 'acknowledge', 'resolve']).toContain(event.action);
  expect(typeof event.summary).toBe('string');
  expect(event.summary.length).toBeGreaterThan(0);
  expect(event.summary.length).toBeLessThanOrEqual(maxSummary);
  // One line, trimmed: it becomes an incident's title and a page's headline.
  expect(event.summary).toBe(event.summary.replace(/\s+/g, ' ').trim());
  if (event.dedupKey !== undefined) {
    expect(typeof event.dedupKey).toBe('string');
    expect(event.dedupKey.length).toBeGreaterThan(0);
    expect(event.dedupKey.length).toBeLessThanOrEqual(maxDedupKey);
  }
  if (event.action !== 'trigger') expect(event.dedupKey).toBeTypeOf('string');
  expect(typeof event.source).toBe('string');
  expect(ALERT_SEVERITIES).toContain(event.severity);
  expect(isPlainObject(event.details)).toBe(true);
  expect(Array.isArray(event.links)).toBe(true);
  for (const link of event.links) {
    expect(typeof link.href).toBe('string');
    expect(link.href.length).toBeGreaterThan(0);
    if (link.text !== undefined) expect(typeof link.text).toBe('string');
  }
  expect(isPlainObject(event.fields)).toBe(true);
  for (const value of Object.values(event.fields)) expect(typeof value).toBe('string');
  if (event.occurredAt !== undefined) expect(Number.isFinite(event.occurredAt)).toBe(true);
}

/** Runs `parse`; a returned value goes to `check`, a thrown one must be an IngestError with at least one "path: message". */
export function expectParsedOrIngestError<T>(parse: () => T, check: (value: T) => void): void {
  let value: T;
  try {
    value = parse();
  } catch (error) {
    if (!(error instanceof IngestError)) throw error;
    expect(error.errors.length).toBeGreaterThan(0);
    for (const problem of error.errors) expect(problem).toMatch(/^\S.*: \S/s);
    return;
  }
  check(value);
}

/** The IngestError `parse` throws (fails the test if it returns or throws something else). */
export function ingestErrorOf(parse: () => unknown): IngestError {
  try {
    parse();
  } catch (error) {
    if (error instanceof IngestError) return error;
    throw error;
  }
  throw new Error('expected an IngestError, but the parser returned');
}

type Path = (string | number)[];

/** Every path to a value inside `root` (the root itself excluded), depth-first. */
function paths(root: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(root)) {
    root.forEach((v, i) => {
      out.push([...prefix, i], ...paths(v, [...prefix, i]));
    });
  } else if (isPlainObject(root)) {
    for (const [k, v] of Object.entries(root)) out.push([...prefix, k], ...paths(v, [...prefix, k]));
  }
  return out;
}

/** A deep copy of JSON-like `value`. */
function clone<T>(value: T): T {
  return structuredClone(value);
}

const DELETE = Symbol('delete');

/** One edit: which path (index modulo the number of paths) and what to put there (or delete it). */
type Edit = [number, unknown];

/** Applies edits to a deep copy of `value`. */
function applyEdits(value: unknown, edits: Edit[]): unknown {
  let root = clone(value);
  for (const [pick, replacement] of edits) {
    const all = paths(root);
    if (all.length === 0) {
      root = replacement === DELETE ? {} : replacement;
      continue;
    }
    const path = all[pick % all.length] as Path;
    const parentPath = path.slice(0, -1);
    const key = path[path.length - 1] as string | number;
    let parent: unknown = root;
    for (const step of parentPath) parent = (parent as Record<string | number, unknown>)[step];
    if (Array.isArray(parent) && typeof key === 'number') {
      if (replacement === DELETE) parent.splice(key, 1);
      else parent[key] = replacement;
    } else if (isPlainObject(parent)) {
      if (replacement === DELETE) Reflect.deleteProperty(parent, key as string);
      else Object.defineProperty(parent, key, { value: replacement, enumerable: true, writable: true, configurable: true });
    }
  }
  return root;
}

/** Valid payloads from `valid`, each with 1 to 4 fields replaced by arbitrary values or deleted. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const replacement = fc.oneof(
    fc.constant(DELETE),
    fc.constant(null),
    fc.constant(''),
    fc.constant('   '),
    fc.string(),
    fc.string({ minLength: 250, maxLength: 2000 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.jsonValue(),
    fc.anything(),
  );
  return fc.tuple(valid, fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 4 })).map(([value, edits]) => applyEdits(value, edits));
}

/** Arbitrary JSON-ish inputs a parser must survive: anything, JSON values and JSON-shaped objects. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(fc.anything(), fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), fc.anything({ withNullPrototype: true, withObjectString: true }));

/** Non-blank text of up to `max` graphemes of full Unicode (so possibly more UTF-16 code units). */
export function text(max: number, min = 1): fc.Arbitrary<string> {
  return fc.string({ unit: 'grapheme', minLength: min, maxLength: max }).filter((s) => s.trim() !== '');
}

/** Non-blank printable ASCII text of up to `max` characters. */
export function ascii(max: number, min = 1): fc.Arbitrary<string> {
  return fc.string({ minLength: min, maxLength: max }).filter((s) => s.trim() !== '');
}

/** An ISO 8601 timestamp between years 1970 and 2100, with its epoch ms. */
export const isoTimestamp: fc.Arbitrary<{ text: string; ms: number }> = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => ({ text: d.toISOString(), ms: d.getTime() }));

/** An http(s) URL. */
export const url: fc.Arbitrary<string> = fc.webUrl();
