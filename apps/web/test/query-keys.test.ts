import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keys } from '../src/api/keys.ts';

const SRC = join(import.meta.dirname, '../src');
const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
const startsWith = (key: readonly unknown[], prefix: readonly unknown[]) => prefix.every((p, i) => key[i] === p);

describe('query keys: one registry (src/api/keys.ts)', () => {
  it('no other file builds a query key by hand or keeps its own registry', () => {
    const offenders = sources(SRC)
      .filter((f) => !f.endsWith(join('api', 'keys.ts')))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ at: `${f.slice(SRC.length + 1)}:${i + 1}`, line }))
          .filter(({ line }) => /queryKey: \[|QueryData(<[^>]*>)?\(\[|Keys = \{/.test(line)),
      )
      .map((o) => `${o.at}: ${o.line.trim()}`);
    expect(offenders).toEqual([]);
  });

  it('the prefixes invalidated as a whole cover the keys they stand for', () => {
    for (const k of [keys.contactMethods('u'), keys.rules('u'), keys.tokens('u'), keys.shifts('u'), keys.leave('u')]) expect(startsWith(k, keys.everyUser)).toBe(true);
    for (const k of [keys.schedule('s'), keys.scheduleSwaps('s'), keys.scheduleOverrides('s', 1, 2), keys.scheduleFinal('s', 1, 2), keys.scheduleOnCall('s')])
      expect(startsWith(k, keys.schedule('s'))).toBe(true);
    expect(startsWith(keys.schedule('s'), keys.everySchedule)).toBe(true);
    for (const k of [
      keys.timeline('i'),
      keys.alerts('i'),
      keys.warRoom('i'),
      keys.chat('i'),
      keys.statusUpdates('i'),
      keys.runbooks('i'),
      keys.declarePreview('i', ''),
      keys.status.incidentBusinessServices('i'),
    ])
      expect(startsWith(k, keys.incident('i'))).toBe(true);
    expect(startsWith(keys.incidentList({ status: ['triggered'] }), keys.incidentLists)).toBe(true);
    expect(keys.incidentList({ status: ['triggered'] })[1]).toEqual({ status: ['triggered'] });
    for (const k of [keys.postmortems.list({}), keys.postmortems.one('p'), keys.postmortems.openItems('')]) expect(startsWith(k, keys.postmortems.all)).toBe(true);
    for (const k of [keys.reports.report('sla', {}), keys.reports.targets, keys.reports.subscribers('t')]) expect(startsWith(k, keys.reports.all)).toBe(true);
  });
});
