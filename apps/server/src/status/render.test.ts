import { describe, expect, it } from 'vitest';
import type { PageData } from './page.js';
import { renderAtom, renderRss, renderStatusHtml } from './render.js';
import { summaryJson } from './statuspage.js';
import { DEFAULT_COLORS } from './store.js';

const at = Date.parse('2026-03-02T09:00:00Z');
const data: PageData = {
  page: { id: 'p1', slug: 'acme', name: 'Acme <Status> & "Co"', logoUrl: 'javascript:alert(1)', colors: DEFAULT_COLORS, businessServiceIds: ['c1'], isDefault: true },
  generatedAt: at,
  components: [
    {
      id: 'c1',
      name: 'Checkout <b>',
      description: '',
      position: 1,
      createdAt: at,
      updatedAt: at,
      state: 'partial_outage',
      history: Array.from({ length: 90 }, (_, d) => ({ day: `d${d}`, state: 'operational' as const, uptime: 1 })),
      uptimePercent: 99.5,
    },
  ],
  active: [
    {
      id: 'i1',
      number: 7,
      title: 'Pay <script>x</script>',
      impact: 'major',
      phase: 'identified',
      open: true,
      createdAt: at,
      updatedAt: at,
      resolvedAt: null,
      componentIds: ['c1'],
      updates: [{ id: 'u1', incidentId: 'i1', at, author: '', phase: 'identified', message: 'Fix & \u0001 "soon" <now>', businessImpact: '', nextUpdateAt: null, public: true, publicTitle: null }],
    },
  ],
  past: [],
  maintenance: [],
  completedMaintenance: [],
  indicator: 'major',
  description: 'Partial System Outage',
};

describe('status page rendering', () => {
  it('escapes everything in HTML and drops unsafe logo URLs', () => {
    const html = renderStatusHtml(data, 'https://k.example');
    expect(html).not.toContain('<script>x');
    expect(html).toContain('Pay &lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('Acme &lt;Status&gt; &amp; &quot;Co&quot;');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('action="https://k.example/status/acme/subscribe"');
  });

  it('writes RSS and Atom with XML escaping and without characters XML forbids', () => {
    for (const xml of [renderRss(data, 'https://k.example'), renderAtom(data, 'https://k.example')]) {
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
      expect(xml).toContain('Fix &amp;  &quot;soon&quot; &lt;now&gt;');
      expect(xml).not.toContain('\u0001');
      expect(xml).toContain('Identified: Pay &lt;script&gt;x&lt;/script&gt;');
    }
  });

  it('maps to Statuspage v2 summary shapes', () => {
    const s = summaryJson(data, 'https://k.example');
    expect(s.page).toEqual({ id: 'p1', name: data.page.name, url: 'https://k.example/status/acme', time_zone: 'Etc/UTC', updated_at: '2026-03-02T09:00:00.000Z' });
    expect(s.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(s.incidents[0]).toMatchObject({ id: 'i1', status: 'identified', impact: 'major', shortlink: 'https://k.example/status/acme#incident-7' });
    expect(s.components[0]).toMatchObject({ status: 'partial_outage', created_at: '2026-03-02T09:00:00.000Z' });
  });
});
