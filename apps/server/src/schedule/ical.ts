import ical, { ICalCalendarMethod } from 'ical-generator';

/** One calendar event: a shift, in UTC. */
export interface IcalEvent {
  /** Stable across fetches, so calendar apps update events instead of duplicating them. */
  uid: string;
  start: number;
  end: number;
  summary: string;
  description: string;
  url: string;
}

/**
 * An RFC 5545 calendar (VCALENDAR with one VEVENT per shift, DTSTART/DTEND in UTC) built with
 * ical-generator. `now` is the DTSTAMP of every event.
 */
export function renderIcal(o: { name: string; now: number; events: readonly IcalEvent[] }): string {
  const cal = ical({ name: o.name, prodId: { company: 'Klaxon', product: 'Klaxon on-call', language: 'EN' }, method: ICalCalendarMethod.PUBLISH, ttl: 60 * 60 });
  const stamp = new Date(o.now);
  for (const e of o.events) {
    cal.createEvent({
      id: `${e.uid}@klaxon`,
      start: new Date(e.start),
      end: new Date(e.end),
      stamp,
      summary: e.summary,
      description: e.description,
      url: e.url,
    });
  }
  // RFC 5545 ends every content line, the last included, with CRLF; ical-generator leaves the last bare.
  const text = cal.toString();
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}
