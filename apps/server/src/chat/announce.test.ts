import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatChannel } from '@klaxon/contract';
import { channelDestination, checkChatChannels, isAnnounced, statusText } from './announce.js';

// Two configured platforms with their real rules for channel ids.
const PLATFORMS = new Map([
  ['slack', { name: 'slack' as const, label: 'Slack', channelProblem: (c: string) => (/^[CG][A-Z0-9]{2,}$/.test(c) ? null : 'a Slack channel id (C... or G...)') }],
  ['mattermost', { name: 'mattermost' as const, label: 'Mattermost', channelProblem: (c: string) => (/^[a-z0-9]{26}$/.test(c) ? null : 'a Mattermost channel id (26 lower-case letters and digits)') }],
]);
const PLATFORM_NAMES = ['slack', 'mattermost', 'discord', 'matrix', 'teams', 'googlechat'] as const;
const anyChannel = fc.record({ platform: fc.constantFrom(...PLATFORM_NAMES), channel: fc.string({ minLength: 1, maxLength: 40 }) }) as fc.Arbitrary<ChatChannel>;
const goodChannel = fc.oneof(
  fc.stringMatching(/^C[A-Z0-9]{2,12}$/).map((channel) => ({ platform: 'slack' as const, channel })),
  fc.stringMatching(/^[a-z0-9]{26}$/).map((channel) => ({ platform: 'mattermost' as const, channel })),
);

describe('checkChatChannels', () => {
  it('never throws; accepts a list exactly when every entry is a configured platform with a valid, distinct channel id', () => {
    fc.assert(
      fc.property(fc.array(anyChannel, { maxLength: 6 }), (channels) => {
        const r = checkChatChannels(channels, PLATFORMS);
        const trimmed = channels.map((c) => ({ platform: c.platform, channel: c.channel.trim() }));
        const valid = trimmed.every((c) => {
          const p = PLATFORMS.get(c.platform);
          return !!p && c.channel !== '' && p.channelProblem(c.channel) === null;
        });
        const distinct = new Set(trimmed.map((c) => `${c.platform} ${c.channel}`)).size === trimmed.length;
        expect(r.ok).toBe(valid && distinct);
        if (r.ok) expect(r.channels).toEqual(trimmed);
        else for (const p of r.problems) expect(p.path).toMatch(/^channels\/\d+\/(platform|channel)$/);
      }),
    );
  });

  it('keeps valid distinct channels in order, trimmed', () => {
    fc.assert(
      fc.property(fc.uniqueArray(goodChannel, { selector: (c) => `${c.platform} ${c.channel}`, maxLength: 8 }), (channels) => {
        const r = checkChatChannels(
          channels.map((c) => ({ ...c, channel: ` ${c.channel} ` })),
          PLATFORMS,
        );
        expect(r).toEqual({ ok: true, channels });
      }),
    );
  });

  it('names the problem: the platform’s own words, a platform not configured, webhook-only platforms, duplicates', () => {
    const r = checkChatChannels(
      [
        { platform: 'mattermost', channel: 'C123' },
        { platform: 'discord', channel: '123456789012345678' },
        { platform: 'teams', channel: 'x' },
        { platform: 'slack', channel: 'C0AB' },
        { platform: 'slack', channel: 'C0AB' },
      ],
      PLATFORMS,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'channels/0/channel: Mattermost: a Mattermost channel id (26 lower-case letters and digits)',
      'channels/1/platform: discord is not configured on this server',
      "channels/2/platform: Microsoft Teams cannot announce in a channel: Klaxon reaches it through incoming-webhook URLs only (a person's contact method)",
      'channels/4/channel: Slack channel C0AB is listed twice',
    ]);
  });
});

describe('announcement mapping', () => {
  it('Slack posts to its channel id; other platforms to #<id>', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PLATFORM_NAMES), fc.string({ minLength: 1 }), (platform, channel) => {
        expect(channelDestination(platform, channel)).toBe(platform === 'slack' ? channel : `#${channel}`);
      }),
    );
  });

  it('status text names the incident, says DRILL first for drills (once), and is at most 3000 characters', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.string({ maxLength: 2000 }), fc.boolean(), fc.string({ maxLength: 2000 }), (number, title, drill, message) => {
        const text = statusText({ number, title, drill }, message);
        expect(text.length).toBeLessThanOrEqual(3000);
        expect(text.startsWith(drill ? `DRILL: #${number} ` : `#${number} `)).toBe(true);
        expect(text.startsWith('DRILL: DRILL')).toBe(false);
      }),
    );
    expect(statusText({ number: 4, title: 'Failover', drill: true }, 'DRILL: Major incident declared (SEV2)')).toBe('DRILL: #4 Failover: Major incident declared (SEV2)');
  });

  it('announces the opening, acknowledgement, resolution, reopening, escalations after the first level and declaring major; nothing else', () => {
    for (const t of ['incident.opened', 'incident.acknowledged', 'incident.resolved', 'incident.reopened', 'incident.escalated', 'major.declared']) expect(isAnnounced(t)).toBe(true);
    expect(isAnnounced('escalation.level', { step: 0 })).toBe(false);
    expect(isAnnounced('escalation.level', { step: 2 })).toBe(true);
    for (const t of ['note', 'notification.sent', 'chat.message', 'chat.announce_failed', 'alert.grouped']) expect(isAnnounced(t)).toBe(false);
  });
});
