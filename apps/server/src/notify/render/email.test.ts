import { describe, expect, it } from 'vitest';
import { allKinds, samplePage, sampleReply, sampleTest, sampleVerification } from '../../../test/fakes/messages.js';
import { renderEmail } from './email.js';

describe('renderEmail', () => {
  it('says what broke, where, how bad, and links Acknowledge / Resolve / Open', () => {
    const page = samplePage();
    const { subject, text, html } = renderEmail(page);
    expect(subject).toBe('[Klaxon] #42 CRITICAL checkout-api: DB down');
    for (const body of [text, html]) {
      expect(body).toContain('DB down');
      expect(body).toContain('checkout-api');
      expect(body).toContain('CRITICAL');
      expect(body).toContain('#42');
      expect(body).toContain('3 alerts');
      expect(body).toContain('connection refused: postgres-primary:5432');
    }
    expect(text).toContain(`Acknowledge: ${page.ackUrl}`);
    expect(text).toContain(`Resolve: ${page.resolveUrl}`);
    expect(text).toContain(`Open incident: ${page.incidentUrl}`);
    // Links are attribute-escaped (& -> &amp;) and labelled.
    expect(html).toContain('href="https://klaxon.example.com/a/42?sig=abc&amp;exp=1"');
    expect(html).toContain('href="https://klaxon.example.com/r/42?sig=def&amp;exp=1"');
    expect(html).toContain('href="https://klaxon.example.com/incidents/42"');
    expect(html).toMatch(/>Acknowledge<\/a>/);
    expect(html).toMatch(/>Resolve<\/a>/);
    expect(html).toMatch(/>Open incident<\/a>/);
    expect(html).toContain('font-size:18px'); // big buttons
  });

  it('puts DRILL first for drills', () => {
    const { subject, text, html } = renderEmail(samplePage({ drill: true }));
    expect(subject.startsWith('[DRILL] ')).toBe(true);
    expect(text.startsWith('DRILL')).toBe(true);
    expect(html).toContain('DRILL: this is a drill');
    expect(renderEmail(samplePage()).subject).not.toContain('DRILL');
  });

  it('escapes HTML in every interpolated field and drops non-http links', () => {
    const { html, subject, text } = renderEmail(
      samplePage({
        title: '<script>alert("x")</script> & more',
        serviceName: '<b>svc</b>',
        details: '<img src=x onerror=alert(1)>',
        severity: '<i>critical</i>',
        incidentUrl: 'javascript:alert(1)',
      }),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>svc');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<i>');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(text).not.toContain('javascript:');
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it('offers only Resolve once acknowledged, and no actions once resolved', () => {
    const acked = renderEmail(samplePage({ status: 'acknowledged' }));
    expect(acked.html).not.toMatch(/>Acknowledge<\/a>/);
    expect(acked.html).toMatch(/>Resolve<\/a>/);
    const resolved = renderEmail(samplePage({ status: 'resolved' }));
    expect(resolved.html).not.toMatch(/>Acknowledge<\/a>|>Resolve<\/a>/);
    expect(resolved.html).toMatch(/>Open incident<\/a>/);
  });

  it('renders verification, test and reply messages', () => {
    const v = renderEmail(sampleVerification);
    expect(v.subject).toBe('Your Klaxon verification code is 123456');
    expect(v.text).toContain('Your Klaxon verification code is 123456');
    expect(v.html).toContain('123456');
    expect(v.text).toContain('Ada Lovelace');
    const t = renderEmail(sampleTest);
    expect(t.subject).toMatch(/test/i);
    expect(t.text).toContain('Ada Lovelace');
    const r = renderEmail(sampleReply);
    expect(r.text).toContain('Incident #42 acknowledged.');
    expect(r.html).toContain('Incident #42 acknowledged.');
  });

  it('renders every kind to a non-empty, single-line subject and a full HTML document', () => {
    for (const m of allKinds) {
      const e = renderEmail(m);
      expect(e.subject.length).toBeGreaterThan(0);
      expect(e.subject).not.toMatch(/[\r\n]/);
      expect(e.text.length).toBeGreaterThan(0);
      expect(e.html.startsWith('<!DOCTYPE html>')).toBe(true);
    }
  });
});
