/**
 * Reads klaxon.yaml: YAML (with source positions), the JSON Schema from schema.ts, then checks that
 * need the whole file (unique names, rules naming a contact method of their user, valid time zones
 * and addresses). References between entities may also resolve in the database, so apply.ts checks
 * those. Every problem is reported at once as `file:line:col: path: what is wrong`.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import { parseInstant } from '../schedule/index.js';
import { isValidTimeZone, normalizeAddress } from '../user/service.js';
import { configJsonSchema, type ConfigDocument } from './schema.js';
import { must } from '../lib/must.js';

/** One thing wrong with a configuration file. `line` and `col` are 1-based, when known. */
export interface ConfigProblem {
  /** Where inside the document, e.g. `services[0].escalationPolicy`; empty for YAML syntax errors. */
  path: string;
  message: string;
  line?: number;
  col?: number;
}

/** A path inside a document: property names and array indexes. */
export type DocPath = readonly (string | number)[];

const MAX_LISTED = 50;

/** A configuration file that cannot be applied; the message lists every problem, one per line. */
export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
    note?: string,
  ) {
    super(formatProblems(file, problems) + (note ? `\n${note}` : ''));
    this.name = 'ConfigFileError';
  }
}

/** Formats problems as `file:line:col: path: message` lines, in file order. */
export function formatProblems(file: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.slice(0, MAX_LISTED).map((p) => oneLine(`${file}${p.line !== undefined ? `:${p.line}:${p.col ?? 1}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`));
  if (problems.length > MAX_LISTED) lines.push(`${file}: … and ${problems.length - MAX_LISTED} more problems`);
  return lines.join('\n');
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Control characters (a key written `"a\nb"`) escaped, so each problem stays on its own line. */
function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]/gu, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `users[0].contactMethods[1].address` for ['users', 0, 'contactMethods', 1, 'address']. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const t of path) out += typeof t === 'number' ? `[${t}]` : out ? `.${t}` : t;
  return out;
}

interface Source {
  file: string;
  yaml: Document;
  lines: LineCounter;
}

// Parsed documents remember where they came from, so apply can point at a line too.
const sources = new WeakMap<object, Source>();

/** The file name a document was parsed from, or `fallback`. */
export function configFileName(doc: ConfigDocument, fallback = 'klaxon.yaml'): string {
  return sources.get(doc)?.file ?? fallback;
}

function keyOf(node: unknown): string {
  return isScalar(node) ? String(node.value) : String(node);
}

/** The source position of `path` in the YAML (or of its nearest existing parent); `key` points at a property's name. */
function position(src: Source, path: DocPath, key = false): { line: number; col: number } | undefined {
  let node: unknown = src.yaml.contents;
  let offset: number | undefined = (node as YamlNode | null)?.range?.[0];
  for (const [i, token] of path.entries()) {
    if (isAlias(node)) node = node.resolve(src.yaml);
    if (isMap(node)) {
      const pair = node.items.find((p) => keyOf(p.key) === String(token));
      if (!pair) break;
      const keyStart = (pair.key as YamlNode | null)?.range?.[0];
      const value = pair.value as YamlNode | null;
      const emptyValue = value === null || (isScalar(value) && value.value === null);
      if ((key && i === path.length - 1) || emptyValue) {
        offset = keyStart ?? offset;
        node = value;
        if (emptyValue) break;
        continue;
      }
      node = value;
      offset = value?.range?.[0] ?? keyStart ?? offset;
    } else if (isSeq(node) && typeof token === 'number') {
      const item = node.items[token] as YamlNode | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? undefined : src.lines.linePos(offset);
}

/** A problem at `path` of a document, with its line and column when the document came from a file. */
export function problemAt(doc: ConfigDocument, path: DocPath, message: string, key = false): ConfigProblem {
  const src = sources.get(doc);
  const pos = src && position(src, path, key);
  return { path: formatPath(path) || '(document)', message, ...pos };
}

/** Edit distance counting a swap of two neighbouring characters as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  // The (a.length + 1) x (b.length + 1) table, row by row in one array.
  const w = b.length + 1;
  const d = Array.from({ length: (a.length + 1) * w }, (_, k) => (k < w ? k : k % w === 0 ? k / w : 0));
  const at = (i: number, j: number) => must(d[i * w + j], 'a cell of the edit-distance table');
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * w + j] = v;
    }
  }
  return at(a.length, b.length);
}

/** ` (did you mean "x"?)` when a candidate is close to `name`, else ''. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 4)) ? ` (did you mean "${best}"?)` : '';
}

// ---- schema validation -------------------------------------------------------------------------

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false }).compile(configJsonSchema());
  return validator;
}

const PATTERN_MESSAGES: Record<string, string> = {
  '^[^@\\s]+@[^@\\s]+$': 'must be an email address',
  '^[A-Za-z0-9_\\-.]+$': 'must contain only letters, digits, "_", "-" and "."',
};

interface SchemaSketch {
  const?: unknown;
  type?: string;
  title?: string;
  properties?: Record<string, unknown>;
}

/** "one of: a, b, c" for the branches of a union. */
function describeUnion(branches: SchemaSketch[]): string {
  const names = branches.map((b) => (b.const !== undefined ? String(b.const) : (b.title ?? b.type ?? 'a valid value')));
  if (branches.every((b) => b.const !== undefined)) return `one of: ${names.join(', ')}`;
  return names.length === 2 ? `${names[0]} or ${names[1]}` : `one of: ${names.join(', ')}`;
}

/** Data path tokens of an Ajv instancePath, with array indexes as numbers. */
function tokensOf(data: unknown, instancePath: string): (string | number)[] {
  const out: (string | number)[] = [];
  let cur: unknown = data;
  for (const raw of instancePath.split('/').slice(1)) {
    const t = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(t));
      cur = cur[Number(t)];
    } else {
      out.push(t);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[t] : undefined;
    }
  }
  return out;
}

function within(e: ErrorObject, base: string): boolean {
  return e.instancePath === base || e.instancePath.startsWith(`${base}/`);
}

/**
 * Ajv reports every branch of a failed union; keep the branch the author evidently meant (the one with
 * the least wrong at its root), or say which forms are allowed when none stands out.
 */
function schemaProblems(doc: ConfigDocument, data: unknown, errors: ErrorObject[]): ConfigProblem[] {
  const removed = new Set<ErrorObject>();
  const extra: { tokens: (string | number)[]; message: string }[] = [];
  // How badly an error says a union branch is the wrong form for the value: a wrong constant or type at
  // the value itself, or a missing or unknown field on it. Errors deeper inside don't count.
  const shape = (e: ErrorObject, base: string) => {
    const atRoot = e.instancePath === base;
    if (e.keyword === 'const' || (e.keyword === 'type' && atRoot)) return 100;
    if ((e.keyword === 'required' || e.keyword === 'additionalProperties') && atRoot) return 10;
    return 0;
  };
  const unions = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const u of unions) {
    if (removed.has(u)) continue;
    removed.add(u);
    const branches = u.schema as SchemaSketch[];
    const byBranch = branches.map((_, i) => errors.filter((e) => !removed.has(e) && e !== u && within(e, u.instancePath) && e.schemaPath.startsWith(`${u.schemaPath}/${i}/`)));
    const scores = byBranch.map((list) => list.reduce((sum, e) => sum + shape(e, u.instancePath), 0));
    const best = Math.min(...scores);
    // Keep the one branch whose form fits best (e.g. {mode: window} missing `minutes`); otherwise list the forms.
    const keep = best < 100 && scores.filter((x) => x === best).length === 1 ? must(byBranch[scores.indexOf(best)], 'the best branch') : [];
    for (const e of byBranch.flat()) if (!keep.includes(e)) removed.add(e);
    if (!keep.length) extra.push({ tokens: tokensOf(data, u.instancePath), message: `must be ${describeUnion(branches)}` });
  }
  const out: ConfigProblem[] = extra.map((x) => problemAt(doc, x.tokens, x.message));
  // "must be 1" says all there is to say; "must be number" beside it is noise.
  const constants = new Set(errors.filter((e) => !removed.has(e) && e.keyword === 'const').map((e) => e.instancePath));
  for (const e of errors) {
    if (removed.has(e) || e.keyword === 'anyOf' || (e.keyword === 'type' && constants.has(e.instancePath))) continue;
    const tokens = tokensOf(data, e.instancePath);
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'additionalProperties') {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as SchemaSketch | undefined)?.properties ?? {});
      const hint = didYouMean(name, allowed) || (allowed.length ? `; expected one of: ${allowed.join(', ')}` : '');
      out.push(problemAt(doc, [...tokens, name], `unknown field "${name}"${hint}`, true));
    } else if (e.keyword === 'required') {
      out.push(problemAt(doc, tokens, `missing required field "${String(params.missingProperty)}"`));
    } else if (e.keyword === 'const') {
      out.push(problemAt(doc, tokens, `must be ${JSON.stringify(params.allowedValue)}`));
    } else if (e.keyword === 'pattern') {
      out.push(problemAt(doc, tokens, PATTERN_MESSAGES[String(params.pattern)] ?? e.message ?? 'is not valid'));
    } else {
      out.push(problemAt(doc, tokens, e.message ?? 'is not valid'));
    }
  }
  return out;
}

// ---- checks across the file --------------------------------------------------------------------

/** Problems a schema cannot express: duplicate identities, rules naming unknown contact methods, bad zones and addresses. */
function crossChecks(doc: ConfigDocument): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const at = (path: DocPath, message: string) => out.push(problemAt(doc, path, message));
  const unique = (seen: Map<string, DocPath>, key: string, path: DocPath, what: string) => {
    const first = seen.get(key);
    if (first) at(path, `duplicate ${what} (also at ${formatPath(first)})`);
    else seen.set(key, path);
  };

  const emails = new Map<string, DocPath>();
  for (const [ui, u] of (doc.users ?? []).entries()) {
    unique(emails, u.email.toLowerCase(), ['users', ui, 'email'], `user "${u.email}"`);
    if (u.timeZone !== undefined && !isValidTimeZone(u.timeZone)) at(['users', ui, 'timeZone'], `unknown IANA time zone "${u.timeZone}" (e.g. Europe/Berlin, America/New_York)`);
    const methods = new Map<string, DocPath>();
    for (const [ci, c] of (u.contactMethods ?? []).entries()) {
      unique(methods, c.name, ['users', ui, 'contactMethods', ci, 'name'], `contact method "${c.name}"`);
      const normal = normalizeAddress(c.type, c.address);
      if ('error' in normal) at(['users', ui, 'contactMethods', ci, 'address'], `${normal.error} for a ${c.type} contact method`);
    }
    const rules = new Map<string, DocPath>();
    for (const [ri, r] of (u.notificationRules ?? []).entries()) {
      unique(rules, `${r.contactMethod}\u0000${r.delayMinutes}`, ['users', ui, 'notificationRules', ri], `notification rule (${r.contactMethod} after ${r.delayMinutes} min)`);
      if (u.contactMethods && !methods.has(r.contactMethod)) {
        const names = u.contactMethods.map((c) => c.name);
        at(
          ['users', ui, 'notificationRules', ri, 'contactMethod'],
          `unknown contact method "${r.contactMethod}"${didYouMean(r.contactMethod, names) || (names.length ? `; ${u.email} has: ${names.join(', ')}` : `; ${u.email} has none`)}`,
        );
      }
    }
  }

  const teams = new Map<string, DocPath>();
  for (const [ti, t] of (doc.teams ?? []).entries()) {
    unique(teams, t.name, ['teams', ti, 'name'], `team "${t.name}"`);
    const members = new Map<string, DocPath>();
    for (const [mi, m] of (t.members ?? []).entries()) unique(members, m.user.toLowerCase(), ['teams', ti, 'members', mi, 'user'], `member "${m.user}"`);
  }

  const schedules = new Map<string, DocPath>();
  for (const [si, x] of (doc.schedules ?? []).entries()) {
    unique(schedules, x.name, ['schedules', si, 'name'], `schedule "${x.name}"`);
    const zoneOk = isValidTimeZone(x.timeZone);
    if (!zoneOk) at(['schedules', si, 'timeZone'], `unknown IANA time zone "${x.timeZone}" (e.g. Europe/Berlin, America/New_York)`);
    for (const [li, l] of x.layers.entries()) {
      const lpath = ['schedules', si, 'layers', li] as const;
      if (l.timeZone !== undefined && !isValidTimeZone(l.timeZone)) at([...lpath, 'timeZone'], `unknown IANA time zone "${l.timeZone}" (e.g. Europe/Berlin, America/New_York)`);
      const zone = l.timeZone !== undefined && isValidTimeZone(l.timeZone) ? l.timeZone : zoneOk ? x.timeZone : 'UTC';
      const start = parseInstant(l.start, zone);
      if (start === null) at([...lpath, 'start'], 'must be a local date-time YYYY-MM-DDTHH:MM (or an ISO date-time with an offset)');
      if (l.end !== undefined) {
        const end = parseInstant(l.end, zone);
        if (end === null) at([...lpath, 'end'], 'must be a local date-time YYYY-MM-DDTHH:MM (or an ISO date-time with an offset)');
        else if (start !== null && end <= start) at([...lpath, 'end'], 'must be after start');
      }
    }
  }

  const policies = new Map<string, DocPath>();
  for (const [pi, p] of (doc.escalationPolicies ?? []).entries()) unique(policies, p.name, ['escalationPolicies', pi, 'name'], `escalation policy "${p.name}"`);

  const services = new Map<string, DocPath>();
  const keys = new Map<string, DocPath>();
  for (const [si, s] of (doc.services ?? []).entries()) {
    unique(services, s.name, ['services', si, 'name'], `service "${s.name}"`);
    const integrations = new Map<string, DocPath>();
    for (const [ii, i] of (s.integrations ?? []).entries()) {
      unique(integrations, i.name, ['services', si, 'integrations', ii, 'name'], `integration "${i.name}"`);
      if (i.key !== undefined) unique(keys, i.key, ['services', si, 'integrations', ii, 'key'], 'integration key: every integration needs its own');
    }
  }
  return out;
}

function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0);
}

/** Checks a document built in code (not read from a file); throws ConfigFileError listing every problem. */
export function validateConfig(doc: unknown, file = 'klaxon.yaml'): ConfigDocument {
  const check = validate();
  if (!check(doc)) throw new ConfigFileError(file, schemaProblems(doc as ConfigDocument, doc, check.errors ?? []).sort(byPosition));
  const problems = crossChecks(doc as ConfigDocument);
  if (problems.length) throw new ConfigFileError(file, problems.sort(byPosition));
  return doc as ConfigDocument;
}

/** True when `doc` came from parseConfigFile (so it was validated, and positions are known). */
export function isParsedConfig(doc: ConfigDocument): boolean {
  return sources.has(doc);
}

/**
 * YAML allows a list or mapping as a key (`? [a, b]`); JavaScript objects cannot hold one, and the
 * yaml library would turn it into its multi-line text. Every key in klaxon.yaml is a name, so say so.
 */
function complexKeyProblems(yaml: Document, lines: LineCounter): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(yaml, {
    Pair(_, pair) {
      if (!isPair(pair) || pair.key === null) return;
      const key = isAlias(pair.key) ? pair.key.resolve(yaml) : pair.key;
      if (key === undefined || isScalar(key)) return;
      const start = (pair.key as YamlNode).range?.[0];
      const pos = start === undefined ? undefined : lines.linePos(start);
      problems.push({ path: '', message: 'a key must be a plain name, not a list or a mapping', ...(pos && { line: pos.line, col: pos.col }) });
    },
  });
  return problems;
}

/** Parses and validates a klaxon.yaml file; throws ConfigFileError naming file:line:col and the path of every problem. */
export function parseConfigFile(fileName: string, text: string): ConfigDocument {
  const lines = new LineCounter();
  const yaml = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, schema: 'core' });
  if (yaml.errors.length) {
    throw new ConfigFileError(
      fileName,
      yaml.errors.map((e) => {
        const pos = e.linePos?.[0];
        const message = must(e.message.split('\n')[0], 'the first line of the message').replace(/ at line \d+, column \d+:?$/, '');
        return { path: '', message: `YAML syntax error: ${message}`, ...(pos && { line: pos.line, col: pos.col }) };
      }),
    );
  }
  const complexKeys = complexKeyProblems(yaml, lines);
  if (complexKeys.length) throw new ConfigFileError(fileName, complexKeys);
  let data: unknown;
  try {
    data = yaml.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ConfigFileError(fileName, [{ path: '', message: `cannot read the YAML: ${e instanceof Error ? e.message : String(e)}`, line: 1, col: 1 }]);
  }
  const doc = (data ?? {}) as ConfigDocument;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigFileError(fileName, [{ path: '(document)', message: 'must be a mapping with `version: 1` and users, teams, schedules, escalationPolicies and services', line: 1, col: 1 }]);
  }
  sources.set(doc, { file: fileName, yaml, lines });
  validateConfig(doc, fileName);
  return doc;
}
