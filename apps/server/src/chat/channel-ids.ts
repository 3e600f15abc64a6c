/**
 * What a channel (room) id looks like on each platform that posts to channels by id: the rule each
 * platform's `channelProblem` applies (chat/<name>/platform.ts), here so that checking a channel
 * needs no configured platform (`klaxon apply` from the command line, chat/announce.ts). Google
 * Chat's rule here is the announcement one (a space); its platform's `channelProblem` is for bridges
 * (threads), and its `announceProblem` is this one.
 */

/** A problem with a Slack channel id, or null. */
export const slackChannelProblem = (channel: string): string | null => (/^[CG][A-Z0-9]{2,}$/.test(channel) ? null : 'a Slack channel id (C... or G...)');
/** A problem with a Mattermost channel id, or null. */
export const mattermostChannelProblem = (channel: string): string | null => (/^[a-z0-9]{26}$/.test(channel) ? null : 'a Mattermost channel id (26 lower-case letters and digits)');
/** A problem with a Discord channel or thread id, or null. */
export const discordChannelProblem = (channel: string): string | null => (/^\d{17,20}$/.test(channel) ? null : 'a Discord channel or thread id (17 to 20 digits)');
/** A problem with a Matrix room id, or null. */
export const matrixChannelProblem = (channel: string): string | null => (/^![^:\s]{1,200}:[^\s]{1,200}$/.test(channel) ? null : 'a Matrix room id (!opaque:server)');

/** A Teams channel conversation id, or a thread of one (`;messageid=`). */
export const TEAMS_CHANNEL = /^19:[^\s;@/]{1,200}@thread\.(tacv2|skype)(;messageid=\d{1,20})?$/;
/** A problem with a Microsoft Teams channel conversation id (or a thread of one), or null. */
export const teamsChannelProblem = (channel: string): string | null =>
  TEAMS_CHANNEL.test(channel) ? null : 'a Microsoft Teams channel conversation id (19:...@thread.tacv2 or 19:...@thread.skype, or a thread of it: ...;messageid=<id>)';
/** A problem with a Google Chat space name (where incidents are announced; bridges take threads), or null. */
export const googleChatSpaceProblem = (channel: string): string | null => (/^spaces\/[A-Za-z0-9_-]{1,100}$/.test(channel) ? null : 'a Google Chat space, spaces/<space id>');

/** Why Google Chat cannot announce without the Chat API (webhook URLs are a person's contact method). */
export const GOOGLE_CHAT_ANNOUNCE = 'Google Chat announces in a space only through the Chat API: set KLAXON_GOOGLECHAT_SERVICE_ACCOUNT';
/** Why Microsoft Teams cannot announce without the bot (Workflows webhook URLs are a person's contact method). */
export const TEAMS_ANNOUNCE = 'Microsoft Teams announces in a channel only through the bot: set KLAXON_TEAMS_APP_ID and KLAXON_TEAMS_APP_PASSWORD';

/** Each platform that posts to channels by id, with its label and rule, configured or not. */
export const CHANNEL_ID_RULES: ReadonlyMap<string, { name: string; label: string; channelProblem: (channel: string) => string | null }> = new Map([
  ['slack', { name: 'slack', label: 'Slack', channelProblem: slackChannelProblem }],
  ['mattermost', { name: 'mattermost', label: 'Mattermost', channelProblem: mattermostChannelProblem }],
  ['discord', { name: 'discord', label: 'Discord', channelProblem: discordChannelProblem }],
  ['matrix', { name: 'matrix', label: 'Matrix', channelProblem: matrixChannelProblem }],
  ['teams', { name: 'teams', label: 'Microsoft Teams', channelProblem: teamsChannelProblem }],
  ['googlechat', { name: 'googlechat', label: 'Google Chat', channelProblem: googleChatSpaceProblem }],
]);
