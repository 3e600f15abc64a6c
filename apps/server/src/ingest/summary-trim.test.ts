import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../alert/types.js';
import { parseAlertmanagerWebhook, parseGenericEvents, parseGrafanaWebhook, parseOpsgenieCreate, parsePagerDutyChange, parsePagerDutyEvent } from './index.js';
import { must } from '../lib/must.js';

// Every parser gives a summary (an incident's title) as one trimmed line: "  Disk full\n" is
// "Disk full", a multi-line description is one line, and a long one is cut after collapsing.
const space = fc.constantFrom(' ', '\n', '\t', '\r\n', '  ', ' \n\t ', '\u00a0', '\u2028');
const word = fc.string({ minLength: 1, maxLength: 12 }).filter((w) => w.trim() === w && !/\s/.test(w));
/** A summary of words with any whitespace around and between them; `expected` is what Klaxon shows. */
const messy = fc.tuple(fc.array(space, { maxLength: 3 }), fc.array(fc.tuple(word, space), { minLength: 1, maxLength: 20 }), fc.array(space, { maxLength: 3 })).map(([lead, words, trail]) => {
  const text = lead.join('') + words.map(([w, s], i) => (i === words.length - 1 ? w : w + s)).join('') + trail.join('');
  return { text, expected: words.map(([w]) => w).join(' ') };
});

const parsers: [string, number, (summary: string) => AlertEvent | { summary: string }][] = [
  ['PagerDuty event', 1024, (summary) => parsePagerDutyEvent({ routing_key: 'k', event_action: 'trigger', payload: { summary, source: 's', severity: 'critical' } }).event],
  ['PagerDuty change', 1024, (summary) => parsePagerDutyChange({ routing_key: 'k', payload: { summary } }).change],
  ['generic', 1024, (summary) => must(parseGenericEvents({ summary })[0], 'the parsed event')],
  ['generic (title)', 1024, (title) => must(parseGenericEvents({ title })[0], 'the parsed event')],
  ['Opsgenie', 130, (message) => parseOpsgenieCreate({ message })],
  [
    'Alertmanager (summary)',
    1024,
    (summary) =>
      must(parseAlertmanagerWebhook({ version: '4', status: 'firing', receiver: 'r', alerts: [{ status: 'firing', labels: { alertname: 'A' }, annotations: { summary } }] })[0], 'the parsed alert'),
  ],
  [
    'Alertmanager (description)',
    1024,
    (description) =>
      must(
        parseAlertmanagerWebhook({ version: '4', status: 'firing', receiver: 'r', alerts: [{ status: 'firing', labels: { alertname: 'A' }, annotations: { description } }] })[0],
        'the parsed alert',
      ),
  ],
  [
    'Grafana',
    1024,
    (summary) =>
      must(
        parseGrafanaWebhook({ version: '1', status: 'firing', receiver: 'r', orgId: 1, alerts: [{ status: 'firing', labels: { alertname: 'A' }, annotations: { summary } }] })[0],
        'the parsed alert',
      ),
  ],
];

describe.each(parsers)('%s: the summary is one trimmed line', (_name, max, parse) => {
  it('collapses every run of whitespace to one space and trims both ends (property)', () => {
    fc.assert(
      fc.property(messy, ({ text, expected }) => {
        expect(parse(text).summary).toBe(expected.slice(0, max).trimEnd());
      }),
      { numRuns: 200 },
    );
  });

  it('cuts a long summary after collapsing, never leaving it empty or ending in a space', () => {
    const summary = parse(`${' '.repeat(max + 10)}Disk\n\n  full ${'x'.repeat(max)}`).summary;
    expect(summary.startsWith('Disk full x')).toBe(true);
    expect(summary.length).toBe(max);
    expect(parse('  Disk full on db-1\n').summary).toBe('Disk full on db-1');
  });
});
