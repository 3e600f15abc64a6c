import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { applyConfig } from '../../src/config/apply.js';
import { exportConfig } from '../../src/config/export.js';
import type { ConfigDocument } from '../../src/config/schema.js';
import { must } from '../../src/lib/must.js';
import { DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';

// Event rules as code: klaxon.yaml's top-level eventRules and per-integration rules apply, export
// back the same, re-apply as no change, and are refused where they do not compile.
describe.each(DIALECTS)('event rules in klaxon.yaml (%s)', (dialect) => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
  });
  afterAll(async () => t?.stop());

  const doc: ConfigDocument = {
    version: 1,
    services: [
      { name: 'api', integrations: [{ name: 'am', kind: 'alertmanager', rules: [{ name: 'warnings quiet', condition: 'severity == "warning"', actions: { suppress: true } }] }] },
      { name: 'db' },
    ],
    eventRules: [
      { name: 'db team', condition: 'has(labels.team) && labels.team == "db"', actions: { route: 'db', labels: { routed: 'yes {{source}}' } } },
      { name: 'off', condition: 'false', enabled: false },
    ],
  };

  it('applies, exports the same rules, and a second apply changes nothing; the rules run at ingest', async () => {
    const first = await applyConfig(t.k.ctx, SYSTEM, doc, { dryRun: false });
    expect(first.changes).toContain('~ event rules (global): 0 -> 2 rules');
    expect(first.changes).toContain('~ event rules (integration api/am): 0 -> 1 rule');
    const out = await exportConfig(t.k.ctx, SYSTEM);
    expect(out.eventRules).toEqual(doc.eventRules);
    const exported = mustFind(must(out.services, 'exported services'), 'exported service api', (s) => s.name === 'api');
    const applied = must(must(doc.services, 'services in the document')[0], 'service api in the document');
    expect(must(must(exported.integrations, 'integrations of the exported api')[0], 'exported integration am').rules).toEqual(
      must(must(applied.integrations, 'integrations of api in the document')[0], 'integration am in the document').rules,
    );
    const again = await applyConfig(t.k.ctx, SYSTEM, out, { dryRun: false });
    expect(again.changes.filter((c) => c.includes('event rules'))).toEqual([]);
    // Changed through apply (not through this instance's API): the cached rules are read again after 5 s.
    t.clock.advance(6_000);
    const key = must(first.createdKeys[0], 'first.createdKeys[0]').key;
    const res = await fetch(`${t.url}/integrations/v1/alertmanager/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        receiver: 'k',
        alerts: [{ status: 'firing', labels: { alertname: 'Lag', team: 'db', severity: 'critical' }, annotations: { summary: 'Lag' }, fingerprint: 'f1' }],
      }),
    });
    expect(res.status).toBe(202);
    const dbId = (await t.api('GET', '/api/v1/services/db')).body.service.id;
    expect((await t.api('GET', `/api/v1/incidents?service=${dbId}`)).body.incidents).toHaveLength(1);
  });

  it('a rule that does not compile is a problem at its place in the file', async () => {
    const bad: ConfigDocument = { version: 1, eventRules: [{ name: 'bad', condition: 'labels.x ==' }] };
    await expect(applyConfig(t.k.ctx, SYSTEM, bad, { dryRun: true })).rejects.toThrow(/eventRules\[0\]|eventRules\.0|condition/);
  });
});
