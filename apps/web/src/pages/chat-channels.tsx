import { ActionIcon, Badge, Button, Code, Group, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { IconPlus, IconSend, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { ChatChannel, ChatChannelsAnswer } from '@klaxon/contract';
import { api, errorMessage } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { QueryState } from '../components/bits.tsx';

type Owner = 'services' | 'teams';

/** How long Undo is offered after a channel is removed. */
const UNDO_MS = 10_000;

const LABELS: Record<string, string> = { slack: 'Slack', mattermost: 'Mattermost', discord: 'Discord', matrix: 'Matrix', teams: 'Microsoft Teams', googlechat: 'Google Chat' };
const PLACEHOLDERS: Record<string, string> = {
  slack: 'C0123ABCD',
  mattermost: '26 letters and digits',
  discord: '17 to 20 digits',
  matrix: '!room:example.org',
  teams: '19:...@thread.tacv2',
  googlechat: 'spaces/AAAA...',
};
const same = (a: ChatChannel, b: ChatChannel) => a.platform === b.platform && a.channel === b.channel;

/** Removes a channel at once (after the in-app confirmation) and offers Undo, which puts it back where it was. */
function removeWithUndo(qc: QueryClient, owner: Owner, id: string, list: ChatChannel[], gone: ChatChannel): Promise<void> {
  const key = keys.chatChannels(owner, id);
  const at = list.findIndex((c) => same(c, gone));
  return api.chatChannels
    .set(
      owner,
      id,
      list.filter((c) => !same(c, gone)),
    )
    .then((r) => {
      qc.setQueryData(key, r);
      const nid = `chat-channel-removed-${Date.now()}`;
      const undo = () => {
        notifications.update({ id: nid, loading: true, message: 'Putting it back…', autoClose: false });
        const now = (qc.getQueryData<ChatChannelsAnswer>(key)?.channels ?? []).filter((c) => !same(c, gone));
        api.chatChannels
          .set(owner, id, [...now.slice(0, at), gone, ...now.slice(at)])
          .then((back) => {
            qc.setQueryData(key, back);
            notifications.update({ id: nid, loading: false, color: 'green', message: `${LABELS[gone.platform] ?? gone.platform} channel ${gone.channel} is back`, autoClose: 3000 });
          })
          .catch((e: unknown) => notifications.update({ id: nid, loading: false, color: 'red', title: 'Could not undo', message: errorMessage(e), autoClose: 6000 }));
      };
      notifications.show({
        id: nid,
        autoClose: UNDO_MS,
        message: (
          <Group justify="space-between" wrap="nowrap" gap="sm" data-testid="chat-channel-removed">
            <Text size="sm">
              Removed {LABELS[gone.platform] ?? gone.platform} channel {gone.channel}
            </Text>
            <Button size="compact-md" variant="light" mih={44} onClick={undo} data-testid="undo-remove-chat-channel">
              Undo
            </Button>
          </Group>
        ),
      });
    });
}

/** One channel: platform and id; for admins, Send a test and Remove (asked once more, in place). */
function ChannelRow({ c, owner, id, list, canEdit }: { c: ChatChannel; owner: Owner; id: string; list: ChatChannel[]; canEdit: boolean }) {
  const qc = useQueryClient();
  const [sure, setSure] = useState(false);
  const remove = useMutation({ mutationFn: () => removeWithUndo(qc, owner, id, list, c), onError: (e) => notifications.show({ color: 'red', title: 'Could not remove', message: errorMessage(e) }) });
  const test = useMutation({
    mutationFn: () => api.chatChannels.test(owner, id, c),
    onSuccess: () => notifications.show({ color: 'green', message: `Test message queued for ${LABELS[c.platform] ?? c.platform} channel ${c.channel}` }),
    onError: (e) => notifications.show({ color: 'red', title: 'Could not send a test', message: errorMessage(e) }),
  });
  return (
    <Paper withBorder p="xs" radius="md" data-testid="chat-channel">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <Badge variant="light">{LABELS[c.platform] ?? c.platform}</Badge>
          <Code style={{ overflowWrap: 'anywhere' }} data-testid="chat-channel-id">
            {c.channel}
          </Code>
        </Group>
        {canEdit && (
          <Group gap="xs" wrap="nowrap">
            <Button variant="subtle" mih={44} leftSection={<IconSend size={16} />} loading={test.isPending} onClick={() => test.mutate()} data-testid="test-chat-channel">
              Send a test
            </Button>
            {sure ? (
              <Button color="red" mih={44} loading={remove.isPending} onClick={() => remove.mutate()} data-testid="confirm-remove-chat-channel">
                Really remove?
              </Button>
            ) : (
              <ActionIcon
                size={44}
                variant="subtle"
                color="red"
                aria-label={`Remove ${LABELS[c.platform] ?? c.platform} channel ${c.channel}`}
                onClick={() => setSure(true)}
                data-testid="remove-chat-channel"
              >
                <IconTrash size={18} />
              </ActionIcon>
            )}
          </Group>
        )}
      </Group>
    </Paper>
  );
}

/** Adds a channel: a platform configured on this server and its channel id (the server names a bad id). */
function AddChannel({ owner, id, data }: { owner: Owner; id: string; data: ChatChannelsAnswer }) {
  const qc = useQueryClient();
  const [platform, setPlatform] = useState<string | null>(data.platforms[0]?.name ?? null);
  const [channel, setChannel] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () => api.chatChannels.set(owner, id, [...data.channels, { platform: platform as ChatChannel['platform'], channel: channel.trim() }]),
    onSuccess: (r) => {
      qc.setQueryData(keys.chatChannels(owner, id), r);
      setChannel('');
      setError(null);
    },
    onError: (e) => setError(errorMessage(e)),
  });
  if (!data.platforms.length) return <Text c="dimmed">No chat platform that posts to channels is configured on this server (docs/integrations.md).</Text>;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
      data-testid="add-chat-channel-form"
    >
      <Group align="flex-start" gap="xs" wrap="wrap">
        <Select
          aria-label="Platform"
          data={data.platforms.map((p) => ({ value: p.name, label: p.label }))}
          value={platform}
          onChange={setPlatform}
          allowDeselect={false}
          size="md"
          w={{ base: '100%', sm: 180 }}
          data-testid="chat-channel-platform"
        />
        <TextInput
          aria-label="Channel id"
          placeholder={PLACEHOLDERS[platform ?? ''] ?? 'channel id'}
          value={channel}
          onChange={(e) => setChannel(e.currentTarget.value)}
          error={error}
          size="md"
          style={{ flex: 1, minWidth: 200 }}
          data-testid="chat-channel-input"
        />
        <Button type="submit" size="md" leftSection={<IconPlus size={18} />} loading={add.isPending} disabled={!channel.trim() || !platform} data-testid="add-chat-channel">
          Add channel
        </Button>
      </Group>
    </form>
  );
}

/**
 * "Chat channels" of a service or a team: where its incidents are announced (the page card with its
 * buttons, then acknowledged, resolved, escalated, declared major). A service with none of its own
 * uses its team's.
 */
export function ChatChannels({ owner, id, canEdit }: { owner: Owner; id: string; canEdit: boolean }) {
  const q = useQuery({ queryKey: keys.chatChannels(owner, id), queryFn: () => api.chatChannels.get(owner, id) });
  const d = q.data;
  return (
    <Stack gap="sm" data-testid="chat-channels">
      <Title order={3}>Chat channels</Title>
      <Text c="dimmed" size="sm">
        {owner === 'services'
          ? "Where this service's incidents are announced: the page card with its buttons, then each change (acknowledged, resolved, escalated, declared major). Its own channels replace its team's."
          : 'Where the incidents of this team’s services are announced, for services that name no channels of their own.'}
      </Text>
      <QueryState isPending={q.isPending} error={q.error}>
        {d && (
          <Stack gap="xs">
            {d.channels.map((c) => (
              <ChannelRow key={`${c.platform} ${c.channel}`} c={c} owner={owner} id={id} list={d.channels} canEdit={canEdit} />
            ))}
            {!d.channels.length &&
              (d.team && d.team.channels.length ? (
                <Text size="sm" data-testid="chat-channels-inherited">
                  None of its own: announced in team {d.team.name}’s channels — {d.team.channels.map((c) => `${LABELS[c.platform] ?? c.platform} ${c.channel}`).join(', ')}.
                </Text>
              ) : (
                <Text c="dimmed" size="sm" data-testid="chat-channels-none">
                  No chat channels: incidents are not announced in chat.
                </Text>
              ))}
            {canEdit && <AddChannel owner={owner} id={id} data={d} />}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
