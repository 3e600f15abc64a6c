import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplePage, sampleReply, sampleTest, sampleVerification } from '../../../test/fakes/messages.js';
import { renderSms, SMS_SEGMENT } from './sms.js';

describe('renderSms', () => {
  it('renders a page in the documented shape', () => {
    expect(renderSms(samplePage())).toBe('Klaxon #42 CRITICAL checkout-api: DB down. Reply 42A to ack, 42R to resolve');
  });

  it('adds the bridge link of a major incident', () => {
    expect(renderSms(samplePage({ bridgeUrl: 'https://meet.example.com/sev1-42' }))).toBe(
      'Klaxon #42 CRITICAL checkout-api: DB down. Reply 42A to ack, 42R to resolve. Bridge: https://meet.example.com/sev1-42',
    );
  });

  it('puts DRILL first for drills', () => {
    expect(renderSms(samplePage({ drill: true }))).toBe('DRILL Klaxon #42 CRITICAL checkout-api: DB down. Reply 42A to ack, 42R to resolve');
  });

  it('shortens a long title to fit one segment and keeps the reply codes', () => {
    const s = renderSms(samplePage({ title: 'Checkout latency above SLO '.repeat(20) }));
    expect(s.length).toBeLessThanOrEqual(SMS_SEGMENT);
    expect(s.endsWith('Reply 42A to ack, 42R to resolve')).toBe(true);
    expect(s).toContain('...');
  });

  it('folds typographic punctuation and newlines to keep GSM-7', () => {
    const s = renderSms(samplePage({ title: 'It\u2019s \u201Cdown\u201D \u2014 again\u2026\nsecond line' }));
    expect(s).toContain(`It's "down" - again... second line`);
    expect(s).not.toMatch(/[\n\u2018-\u201F\u2026]/);
  });

  it('adapts the tail to the status', () => {
    expect(renderSms(samplePage({ status: 'acknowledged' }))).toMatch(/Acked\. Reply 42R to resolve$/);
    expect(renderSms(samplePage({ status: 'resolved' }))).toMatch(/Resolved$/);
  });

  it('renders verification, test and reply messages', () => {
    expect(renderSms(sampleVerification)).toBe('Your Klaxon verification code is 123456');
    expect(renderSms(sampleTest)).toContain('Ada Lovelace');
    expect(renderSms(sampleTest).length).toBeLessThanOrEqual(SMS_SEGMENT);
    expect(renderSms(sampleReply)).toBe('Incident #42 acknowledged.');
  });

  it('property: any page fits 160 characters and ends with the reply codes', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.string({ maxLength: 200 }),
        fc.constantFrom('critical', 'error', 'warning', 'info', 'extremely-bad-severity'),
        fc.integer({ min: 1, max: 99_999_999 }),
        fc.boolean(),
        (title, serviceName, severity, incidentNumber, drill) => {
          const s = renderSms(samplePage({ title, serviceName, severity, incidentNumber, drill }));
          expect(s.length).toBeLessThanOrEqual(SMS_SEGMENT);
          expect(s.endsWith(`Reply ${incidentNumber}A to ack, ${incidentNumber}R to resolve`)).toBe(true);
          expect(s.startsWith(drill ? 'DRILL Klaxon #' : 'Klaxon #')).toBe(true);
        },
      ),
    );
  });
});
