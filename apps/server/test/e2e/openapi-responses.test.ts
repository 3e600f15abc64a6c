import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as contract from '@klaxon/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const WEB_SRC = join(import.meta.dirname, '../../../web/src');

/** Every route of the OpenAPI document as "METHOD path", with the success answers it declares. */
function routes(doc: { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }>; description?: string }> }>> }) {
  const out: { route: string; success: string[] }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const success = Object.entries(op.responses ?? {})
        // A 2xx with a schema for its body, a 204 (no body), or the WebSocket's 101.
        .filter(([status, r]) => (/^2\d\d$/.test(status) && (status === '204' || Object.values(r.content ?? {}).some((c) => c.schema !== undefined))) || status === '101')
        .map(([status]) => status);
      out.push({ route: `${m.toUpperCase()} ${path}`, success });
    }
  }
  return out;
}

describe('the API contract', () => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon('sqlite');
  });
  afterAll(() => t?.stop());

  it('declares a response schema for the success answer of every route in /api/v1/openapi.json', async () => {
    const doc = (await t.api('GET', '/api/v1/openapi.json')).body;
    const all = routes(doc);
    expect(all.length).toBeGreaterThan(100);
    const missing = all.filter((r) => r.success.length === 0).map((r) => r.route);
    expect(missing).toEqual([]);
    // Errors share the one error shape.
    expect(doc.paths['/api/v1/incidents'].get.responses['4XX'] ?? doc.paths['/api/v1/incidents'].get.responses['4xx']).toBeDefined();
    // The incident list's answer names the fields the web app reads, with the types the server sends.
    const incident = doc.paths['/api/v1/incidents'].get.responses['200'].content['application/json'].schema.properties.incidents.items;
    expect(incident.required).toEqual(expect.arrayContaining(['id', 'number', 'status', 'sev', 'major', 'drill', 'snoozedUntil', 'incidentManagerId']));
    expect(incident.properties.createdAt.type).toBe('number');
  });

  it('is where the web app takes the server types from: no hand-written copy left in apps/web/src', () => {
    expect(existsSync(join(WEB_SRC, 'api/types.ts'))).toBe(false);
    const names = new Set(Object.keys(contract).filter((k) => /^[A-Z][a-z]/.test(k)));
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(f)) files.push(p);
      }
    };
    walk(WEB_SRC);
    const copies: string[] = [];
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/^export (?:interface|type) ([A-Z]\w*)/gm))
        if (names.has(must(m[1], 'the captured group'))) copies.push(`${f.slice(WEB_SRC.length + 1)}: ${m[1]}`);
    }
    expect(copies).toEqual([]);
    // And it does take them from the contract, type-only.
    const client = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(client).toMatch(/import type \{[^}]*\bIncident\b[^}]*\} from '@klaxon\/contract'/);
    expect(client).not.toMatch(/^import \{[^}]*\} from '@klaxon\/contract';/m);
  });
});
