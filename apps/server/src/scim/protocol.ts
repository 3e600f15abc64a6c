/**
 * SCIM 2.0 (RFC 7643 resources, RFC 7644 protocol): schema URNs, the error shape, the filter (parsed
 * by scim2-parse-filter), list paging, and PATCH operations read into plain changes. Pure: no I/O.
 */
import { filter as compileFilter, parse as parseFilter, type Filter } from 'scim2-parse-filter';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** An error answered in SCIM's shape (RFC 7644 §3.12): status, detail and for 400s a scimType. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive',
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  body() {
    return { schemas: [ERROR_SCHEMA], status: String(this.status), ...(this.scimType && { scimType: this.scimType }), detail: this.message };
  }
}

/** Lower-cases the keys of an object, deeply: SCIM attribute names are case-insensitive. */
function lowerKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), lowerKeys(x)]));
  return v;
}

/** Lower-cases attribute paths and string values, so comparisons are case-insensitive (caseExact=false). */
function lowerFilter(f: Filter): Filter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { ...f, filters: f.filters.map(lowerFilter) };
    case 'not':
      return { ...f, filter: lowerFilter(f.filter) };
    case '[]':
      return { ...f, attrPath: f.attrPath.toLowerCase(), valFilter: lowerFilter(f.valFilter) };
    case 'pr':
      return { ...f, attrPath: f.attrPath.toLowerCase() };
    default:
      return { ...f, attrPath: f.attrPath.toLowerCase(), compValue: typeof f.compValue === 'string' ? f.compValue.toLowerCase() : f.compValue };
  }
}

function lowerValues(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerValues);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lowerValues(x)]));
  return typeof v === 'string' ? v.toLowerCase() : v;
}

/** Strips a schema URN prefix from an attribute path ("urn:...:User:userName" -> "userName"). */
function stripUrn(path: string, schema: string): string {
  return path.toLowerCase().startsWith(`${schema.toLowerCase()}:`) ? path.slice(schema.length + 1) : path;
}

/**
 * Compiles a SCIM filter (RFC 7644 §3.4.2.2) into a test of a resource. Attribute names and string
 * values compare case-insensitively (every attribute Klaxon serves is caseExact=false). A filter that
 * does not parse is a 400 invalidFilter.
 */
export function compileScimFilter(text: string, schema: string): (resource: object) => boolean {
  if (text.length > 2000) throw new ScimError(400, 'The filter is longer than 2000 characters', 'invalidFilter');
  let ast: Filter;
  try {
    ast = parseFilter(text);
  } catch (e) {
    throw new ScimError(400, `The filter does not parse: ${(e as Error).message}`.slice(0, 300), 'invalidFilter');
  }
  const strip = (f: Filter): Filter => {
    if (f.op === 'and' || f.op === 'or') return { ...f, filters: f.filters.map(strip) };
    if (f.op === 'not') return { ...f, filter: strip(f.filter) };
    return { ...f, attrPath: stripUrn((f as { attrPath: string }).attrPath, schema) } as Filter;
  };
  const test = compileFilter(lowerFilter(strip(ast)));
  return (resource) => {
    try {
      return test(lowerValues(lowerKeys(resource)));
    } catch {
      return false;
    }
  };
}

/** startIndex (1-based, default 1) and count (default and at most `max`) from a query (RFC 7644 §3.4.2.4). */
export function paging(query: Record<string, unknown>, max = 200): { startIndex: number; count: number } {
  const num = (name: string, def: number) => {
    const raw = query[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new ScimError(400, `${name} must be a whole number (got "${String(raw).slice(0, 50)}")`, 'invalidValue');
    return n;
  };
  // Values below 1 are read as 1 (startIndex) and 0 (count), as the RFC says.
  return { startIndex: Math.max(1, num('startIndex', 1)), count: Math.min(max, Math.max(0, num('count', max))) };
}

/** A ListResponse of one page of `all`. */
export function listResponse<T>(all: readonly T[], p: { startIndex: number; count: number }) {
  const page = all.slice(p.startIndex - 1, p.startIndex - 1 + p.count);
  return { schemas: [LIST_SCHEMA], totalResults: all.length, startIndex: p.startIndex, itemsPerPage: page.length, Resources: page };
}

/** One PATCH operation as read: op lower-cased, path (or undefined), value. */
export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

/** Reads a PatchOp request body (RFC 7644 §3.5.2); 400 invalidSyntax when it is not one. */
export function readPatch(body: unknown): PatchOp[] {
  const b = body as { schemas?: unknown; Operations?: unknown; operations?: unknown };
  if (!b || typeof b !== 'object' || !Array.isArray(b.schemas) || !b.schemas.includes(PATCH_SCHEMA))
    throw new ScimError(400, `A PATCH body must be a PatchOp message (schemas: ["${PATCH_SCHEMA}"])`, 'invalidSyntax');
  const ops = b.Operations ?? b.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw new ScimError(400, 'Operations must be a non-empty array', 'invalidSyntax');
  if (ops.length > 1000) throw new ScimError(400, 'At most 1000 operations in one PATCH', 'tooMany');
  return ops.map((o: unknown, i) => {
    const x = o as { op?: unknown; path?: unknown; value?: unknown };
    const op = typeof x?.op === 'string' ? x.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new ScimError(400, `Operations[${i}].op must be add, replace or remove`, 'invalidSyntax');
    if (x.path !== undefined && (typeof x.path !== 'string' || x.path.length > 500)) throw new ScimError(400, `Operations[${i}].path must be a string`, 'invalidPath');
    if (op === 'remove' && x.path === undefined) throw new ScimError(400, `Operations[${i}]: remove needs a path`, 'noTarget');
    if (op !== 'remove' && x.value === undefined) throw new ScimError(400, `Operations[${i}]: ${op} needs a value`, 'invalidValue');
    return { op, path: x.path as string | undefined, value: x.value };
  });
}

/** A boolean, also from the strings "true"/"false" (Entra ID sends "False"). */
export function scimBool(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw new ScimError(400, `${what} must be true or false`, 'invalidValue');
}
