/** The audit export's CSV lines and the list's cursor, property-based. */
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@klaxon/contract';
import { AUDIT_CSV_COLUMNS, auditCsvLine } from '../../src/audit-trail.js';
import { must } from '../../src/lib/must.js';

const entry = fc.record({
  id: fc.string(),
  at: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  actor: fc.record({ type: fc.string(), id: fc.option(fc.string(), { nil: null }), name: fc.string() }),
  action: fc.string(),
  subject: fc.record({ type: fc.string(), id: fc.string() }),
  via: fc.option(fc.string(), { nil: null }),
  address: fc.option(fc.string(), { nil: null }),
  data: fc.dictionary(fc.string(), fc.jsonValue()),
  before: fc.option(fc.jsonValue(), { nil: null }),
  after: fc.option(fc.jsonValue(), { nil: null }),
}) as fc.Arbitrary<AuditEntry>;

/** A cell as written: formula-looking text gets a leading quote. */
const shown = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

describe('audit CSV', () => {
  it('every line parses back to its 14 cells, whatever the text', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const [parsed] = parseCsv(AUDIT_CSV_COLUMNS.join(',') + '\r\n' + auditCsvLine(e), { columns: true }) as Record<string, string>[];
        const row = must(parsed, 'the parsed row');
        expect(Object.keys(row)).toEqual([...AUDIT_CSV_COLUMNS]);
        expect(row.id).toBe(shown(e.id));
        expect(row.at).toBe(String(e.at));
        expect(row.actor).toBe(shown(e.actor.name));
        expect(row.action).toBe(shown(e.action));
        expect(row.actorId).toBe(e.actor.id === null ? '' : shown(e.actor.id));
        expect(JSON.parse(must(row.data, 'row.data'))).toEqual(JSON.parse(JSON.stringify(e.data)));
      }),
    );
  });

  it('never starts a cell with a spreadsheet formula', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const [cells] = parseCsv(auditCsvLine(e)) as string[][];
        for (const c of must(cells, 'cells')) expect(c).not.toMatch(/^[=+\-@]/);
      }),
    );
  });
});
