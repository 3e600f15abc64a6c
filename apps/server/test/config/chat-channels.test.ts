/** Chat channels in klaxon.yaml (teams and services): apply sets them, checks each id, export and apply round-trip. */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { getServiceChatChannels, getTeamChatChannels } from '../../src/chat/announce.js';
import { CHANNEL_ID_RULES } from '../../src/chat/channel-ids.js';
import { applyConfig } from '../../src/config/apply.js';
import { exportConfig, stringifyConfig } from '../../src/config/export.js';
import { parseConfigFile } from '../../src/config/load.js';
import type { Ctx } from '../../src/context.js';
import { DIALECTS, testDatabases } from './helpers.js';

const yaml = (text: string) => parseConfigFile('klaxon.yaml', text);
const apply = (ctx: Ctx, text: string, dryRun = false) => applyConfig(ctx, SYSTEM, yaml(text), { dryRun });
const MM = 'h7k2m9p4q8r3s6t1v5w0x2y7z4';

const FILE = `version: 1
teams:
  - name: Payments
    chatChannels:
      - { platform: slack, channel: C0PAYMENTS }
services:
  - name: checkout
    team: Payments
    chatChannels:
      - { platform: mattermost, channel: ${MM} }
      - { platform: matrix, channel: "!ops:example.org" }
  - name: billing
    team: Payments
`;

describe.each(DIALECTS)('chat channels in config as code on %s', (dialect) => {
  const dbs = testDatabases();
  afterAll(() => dbs.cleanup());

  it('apply sets a team’s and a service’s channels; a second apply changes nothing; export round-trips', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const r = await apply(ctx, FILE);
    expect(r.changes).toEqual([
      '+ team Payments',
      '~ team Payments: chatChannels none -> slack:C0PAYMENTS',
      '+ service checkout',
      `~ service checkout: chatChannels none -> mattermost:${MM}, matrix:!ops:example.org`,
      '+ service billing',
    ]);
    expect((await getTeamChatChannels(ctx, SYSTEM, 'Payments', CHANNEL_ID_RULES)).channels).toEqual([{ platform: 'slack', channel: 'C0PAYMENTS' }]);
    const billing = await getServiceChatChannels(ctx, SYSTEM, 'billing', CHANNEL_ID_RULES);
    expect(billing).toMatchObject({ channels: [], announcedIn: [{ platform: 'slack', channel: 'C0PAYMENTS' }] });
    expect(await apply(ctx, FILE)).toEqual({ changes: [], createdKeys: [] });

    const exported = await exportConfig(ctx, SYSTEM);
    expect(exported.teams?.find((t) => t.name === 'Payments')?.chatChannels).toEqual([{ platform: 'slack', channel: 'C0PAYMENTS' }]);
    expect(exported.services?.find((s) => s.name === 'checkout')?.chatChannels).toEqual([
      { platform: 'mattermost', channel: MM },
      { platform: 'matrix', channel: '!ops:example.org' },
    ]);
    expect(exported.services?.find((s) => s.name === 'billing')?.chatChannels).toBeUndefined();
    const text = stringifyConfig(exported);
    expect(await applyConfig(ctx, SYSTEM, parseConfigFile('export.yaml', text), { dryRun: false })).toEqual({ changes: [], createdKeys: [] });

    // An empty list removes them.
    const cleared = await apply(ctx, 'version: 1\nservices:\n  - name: checkout\n    chatChannels: []\n');
    expect(cleared.changes).toEqual([`~ service checkout: chatChannels mattermost:${MM}, matrix:!ops:example.org -> none`]);
    expect((await getServiceChatChannels(ctx, SYSTEM, 'checkout', CHANNEL_ID_RULES)).channels).toEqual([]);
  });

  it('a bad channel id is refused, naming the platform’s rule, and nothing changes', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await expect(apply(ctx, 'version: 1\nservices:\n  - name: web\n    chatChannels:\n      - { platform: slack, channel: general }\n')).rejects.toThrow(/a Slack channel id \(C\.\.\. or G\.\.\.\)/);
    await expect(apply(ctx, 'version: 1\nservices:\n  - name: web\n    chatChannels:\n      - { platform: teams, channel: x }\n')).rejects.toThrow(/a Microsoft Teams channel conversation id/);
    expect((await exportConfig(ctx, SYSTEM)).services).toEqual([]);
  });
});
