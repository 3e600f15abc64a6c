import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatChannel } from '@klaxon/contract';
import { channelDestination, checkChatChannels, isAnnounced, statusText, type Platforms } from './announce.js';
import { CHANNEL_ID_RULES, googleChatSpaceProblem, mattermostChannelProblem, slackChannelProblem, teamsChannelProblem } from './channel-ids.js';

const THREAD = 'spaces/AAAA/threads/BBBB';
const bridgeRule = (c: string) => (/^spaces\/[^/]+\/threads\/[^/]+$/.test(c) ? null : 'a Google Chat thread');
// Configured platforms with their real rules for channel ids: Teams (the bot), Google Chat with the Chat API (a space for announcements, threads for bridges).
const PLATFORMS: Platforms = new Map([
  ['slack', { name: 'slack', label: 'Slack', channelProblem: slackChannelProblem }],
  ['mattermost', { name: 'mattermost', label: 'Mattermost', channelProblem: mattermostChannelProblem }],
  ['teams', { name: 'teams', label: 'Microsoft Teams', channelProblem: teamsChannelProblem }],
  ['googlechat', { name: 'googlechat', label: 'Google Chat', channelProblem: bridgeRule, announceProblem: googleChatSpaceProblem }],
]);
// Google Chat without the Chat API: configured (webhooks, the app's events) but unable to announce.
const NO_API: Platforms = new Map([
  ['slack', { name: 'slack', label: 'Slack', channelProblem: slackChannelProblem }],
  [
    'googlechat',
    {
      name: 'googlechat',
      label: 'Google Chat',
      channelProblem: bridgeRule,
      announceProblem: googleChatSpaceProblem,
      cannotAnnounce: 'Google Chat announces in a space only through the Chat API: set KLAXON_GOOGLECHAT_SERVICE_ACCOUNT',
    },
  ],
]);
const PLATFORM_NAMES = ['slack', 'mattermost', 'discord', 'matrix', 'teams', 'googlechat'] as const;
const teamsChannel = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9_:.-]{1,40}$/), fc.constantFrom('tacv2', 'skype'), fc.option(fc.nat(), { nil: undefined }))
  .map(([id, kind, thread]) => `19:${id}@thread.${kind}${thread === undefined ? '' : `;messageid=${thread}`}`);
const space = fc.stringMatching(/^[A-Za-z0-9_-]{1,30}$/).map((id) => `spaces/${id}`);
const anyChannel = fc.record({
  platform: fc.constantFrom(...PLATFORM_NAMES),
  channel: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), teamsChannel, space, fc.constant(THREAD)),
}) as fc.Arbitrary<ChatChannel>;
const goodChannel = fc.oneof(
  fc.stringMatching(/^C[A-Z0-9]{2,12}$/).map((channel) => ({ platform: 'slack' as const, channel })),
  fc.stringMatching(/^[a-z0-9]{26}$/).map((channel) => ({ platform: 'mattermost' as const, channel })),
  teamsChannel.map((channel) => ({ platform: 'teams' as const, channel })),
  space.map((channel) => ({ platform: 'googlechat' as const, channel })),
);

describe('checkChatChannels', () => {
  it('never throws; accepts a list exactly when every entry is a platform that can announce, with a valid (announcement) channel id, each once', () => {
    fc.assert(
      fc.property(fc.array(anyChannel, { maxLength: 6 }), fc.constantFrom<Platforms>(PLATFORMS, NO_API, CHANNEL_ID_RULES), (channels, platforms) => {
        const r = checkChatChannels(channels, platforms);
        const trimmed = channels.map((c) => ({ platform: c.platform, channel: c.channel.trim() }));
        const valid = trimmed.every((c) => {
          const p = platforms.get(c.platform);
          if (!p || p.cannotAnnounce || c.channel === '') return false;
          return (p.announceProblem ? p.announceProblem(c.channel) : p.channelProblem(c.channel)) === null;
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

  it('names the problem: the platform’s own words, a platform not configured (what to set for Teams and Google Chat), a Google Chat thread, duplicates', () => {
    const r = checkChatChannels(
      [
        { platform: 'mattermost', channel: 'C123' },
        { platform: 'discord', channel: '123456789012345678' },
        { platform: 'teams', channel: 'x' },
        { platform: 'googlechat', channel: THREAD },
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
      'channels/2/channel: Microsoft Teams: a Microsoft Teams channel conversation id (19:...@thread.tacv2 or 19:...@thread.skype, or a thread of it: ...;messageid=<id>)',
      'channels/3/channel: Google Chat: a Google Chat space, spaces/<space id>',
      'channels/5/channel: Slack channel C0AB is listed twice',
    ]);
    const unset = checkChatChannels(
      [
        { platform: 'teams', channel: '19:abc@thread.tacv2' },
        { platform: 'googlechat', channel: 'spaces/AAAA' },
      ],
      NO_API,
    );
    expect(unset.ok ? [] : unset.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'channels/0/platform: Microsoft Teams announces in a channel only through the bot: set KLAXON_TEAMS_APP_ID and KLAXON_TEAMS_APP_PASSWORD',
      'channels/1/platform: Google Chat announces in a space only through the Chat API: set KLAXON_GOOGLECHAT_SERVICE_ACCOUNT',
    ]);
  });

  it('the offline rules (klaxon apply) take a Teams channel or thread and a Google Chat space, not a thread', () => {
    expect(
      checkChatChannels(
        [
          { platform: 'teams', channel: '19:abc@thread.tacv2;messageid=12' },
          { platform: 'googlechat', channel: 'spaces/AAAA' },
        ],
        CHANNEL_ID_RULES,
      ).ok,
    ).toBe(true);
    expect(checkChatChannels([{ platform: 'googlechat', channel: THREAD }], CHANNEL_ID_RULES).ok).toBe(false);
  });
});

describe('announcement mapping', () => {
  it('Slack posts to its channel id and Google Chat to its space (the card with buttons); other platforms to #<id>', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PLATFORM_NAMES), fc.string({ minLength: 1 }), (platform, channel) => {
        expect(channelDestination(platform, channel)).toBe(platform === 'slack' || platform === 'googlechat' ? channel : `#${channel}`);
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
