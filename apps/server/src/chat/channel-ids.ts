/**
 * What a channel (room) id looks like on each platform that posts to channels by id: the rule each
 * platform's `channelProblem` applies (chat/<name>/platform.ts), here so that checking a channel
 * needs no configured platform (`klaxon apply` from the command line, chat/announce.ts).
 */

/** A problem with a Slack channel id, or null. */
export const slackChannelProblem = (channel: string): string | null => (/^[CG][A-Z0-9]{2,}$/.test(channel) ? null : 'a Slack channel id (C... or G...)');
/** A problem with a Mattermost channel id, or null. */
export const mattermostChannelProblem = (channel: string): string | null => (/^[a-z0-9]{26}$/.test(channel) ? null : 'a Mattermost channel id (26 lower-case letters and digits)');
/** A problem with a Discord channel or thread id, or null. */
export const discordChannelProblem = (channel: string): string | null => (/^\d{17,20}$/.test(channel) ? null : 'a Discord channel or thread id (17 to 20 digits)');
/** A problem with a Matrix room id, or null. */
export const matrixChannelProblem = (channel: string): string | null => (/^![^:\s]{1,200}:[^\s]{1,200}$/.test(channel) ? null : 'a Matrix room id (!opaque:server)');

/** Each platform that posts to channels by id, with its label and rule, configured or not. */
export const CHANNEL_ID_RULES: ReadonlyMap<string, { name: string; label: string; channelProblem: (channel: string) => string | null }> = new Map([
  ['slack', { name: 'slack', label: 'Slack', channelProblem: slackChannelProblem }],
  ['mattermost', { name: 'mattermost', label: 'Mattermost', channelProblem: mattermostChannelProblem }],
  ['discord', { name: 'discord', label: 'Discord', channelProblem: discordChannelProblem }],
  ['matrix', { name: 'matrix', label: 'Matrix', channelProblem: matrixChannelProblem }],
]);
