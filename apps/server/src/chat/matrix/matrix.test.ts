import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplePage } from '../../../test/fakes/messages.js';
import type { Message } from '../../notify/types.js';
import { renderMatrix } from './render.js';

describe('Matrix renderer', () => {
  it('a page is m.text naming its incident; war-room messages are m.notice; priority ones mention @room', () => {
    const page = renderMatrix(samplePage());
    expect(page).toMatchObject({ msgtype: 'm.text', 'org.klaxon.incident': samplePage().incidentId, 'm.mentions': {} });
    expect(page.body).toContain('React 👍 or send !ack 42 to acknowledge');
    expect(renderMatrix({ kind: 'reply', text: 'x' })).toEqual({ msgtype: 'm.notice', body: 'x', 'm.mentions': {} });
    expect(renderMatrix({ kind: 'reply', text: 'x', priority: true })).toEqual({ msgtype: 'm.text', body: '@room x', 'm.mentions': { room: true } });
  });

  it('property: any text renders; HTML is escaped; nobody is mentioned unless priority', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        for (const m of [
          { kind: 'reply', text },
          { ...samplePage(), title: text, details: text, serviceName: text },
        ] as Message[]) {
          const r = renderMatrix(m);
          expect(r['m.mentions']).toEqual({});
          if (r.formatted_body) expect(r.formatted_body).not.toMatch(/<(?!\/?(b|a|i|br|pre|code)\b)/);
        }
      }),
    );
  });
});
