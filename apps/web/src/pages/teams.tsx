import { Anchor, Badge, Box, Button, Card, Group, MultiSelect, Stack, Text, TextInput, Textarea } from '@mantine/core';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys, useTeams, useUsers } from '../api/queries.ts';
import type { Team } from '@klaxon/contract';
import { PageHeader, QueryState } from '../components/bits.tsx';
import { PeopleTabs } from '../components/people-tabs.tsx';
import { useFormErrors } from '../lib/form.ts';
import { useSession } from '../session.tsx';
import { usePermissions } from '../lib/permissions.ts';
import { FormDialog } from '../components/form-dialog.tsx';
import { ChatChannels } from './chat-channels.tsx';
import { must } from '../lib/must.ts';

function TeamEditor({ team, onClose }: { team: Team | null; onClose: () => void }) {
  const qc = useQueryClient();
  const users = useUsers().data ?? [];
  const errors = useFormErrors();
  const [v, setV] = useState({
    name: team?.name ?? '',
    description: team?.description ?? '',
    members: team?.members.map((m) => m.userId) ?? [],
    managers: team?.members.filter((m) => m.role === 'manager').map((m) => m.userId) ?? [],
    admins: team?.members.filter((m) => m.access === 'admin').map((m) => m.userId) ?? [],
    responders: team?.members.filter((m) => m.access === 'responder').map((m) => m.userId) ?? [],
  });
  const { isAdmin: isGlobalAdmin } = useSession();
  const input = () => ({
    name: v.name.trim(),
    description: v.description,
    members: v.members.map((userId) => ({
      userId,
      role: v.managers.includes(userId) ? ('manager' as const) : ('member' as const),
      ...(v.admins.includes(userId) ? { access: 'admin' as const } : v.responders.includes(userId) ? { access: 'responder' as const } : {}),
    })),
  });
  const save = useMutation({
    mutationFn: () => (team ? api.teams.update(team.id, input()) : api.teams.create(input())),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.teams });
      onClose();
    },
    onError: errors.set,
  });
  const remove = useMutation({
    mutationFn: () => api.teams.remove(must(team, 'the team').id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.teams });
      onClose();
    },
    onError: errors.set,
  });
  const userData = users.map((u) => ({ value: u.id, label: u.name }));
  return (
    <FormDialog
      onClose={onClose}
      title={team ? `Team ${team.name}` : 'New team'}
      errors={errors}
      onSubmit={() => save.mutate()}
      submitLabel={team ? 'Save' : 'Create team'}
      pending={save.isPending}
      actions={
        team &&
        isGlobalAdmin && (
          <Button variant="subtle" color="red" loading={remove.isPending} onClick={() => confirm(`Delete team ${team.name}?`) && remove.mutate()}>
            Delete team
          </Button>
        )
      }
    >
      <TextInput label="Name" value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} required />
      <Textarea label="Description" autosize value={v.description} onChange={(e) => setV({ ...v, description: e.currentTarget.value })} error={errors.field('description')} />
      <MultiSelect
        label="Members"
        description="In paging order"
        data={userData}
        value={v.members}
        onChange={(members) =>
          setV({
            ...v,
            members,
            managers: v.managers.filter((m) => members.includes(m)),
            admins: v.admins.filter((m) => members.includes(m)),
            responders: v.responders.filter((m) => members.includes(m)),
          })
        }
        searchable
        error={errors.under('members')}
      />
      <MultiSelect label="Managers" data={userData.filter((u) => v.members.includes(u.value))} value={v.managers} onChange={(managers) => setV({ ...v, managers })} />
      <MultiSelect
        label="Team admins"
        description="Manage this team's schedules, escalation policies, services, integrations and members"
        data={userData.filter((u) => v.members.includes(u.value))}
        value={v.admins}
        onChange={(admins) => setV({ ...v, admins, responders: v.responders.filter((m) => !admins.includes(m)) })}
        data-testid="team-admins"
      />
      <MultiSelect
        label="Team responders"
        description="Act on this team's incidents and schedules (overrides, swaps, take on-call)"
        data={userData.filter((u) => v.members.includes(u.value) && !v.admins.includes(u.value))}
        value={v.responders}
        onChange={(responders) => setV({ ...v, responders })}
        data-testid="team-responders"
      />
    </FormDialog>
  );
}

/** Teams and their members; admins create and edit them. */
export default function Teams() {
  const { isAdmin } = useSession();
  const perms = usePermissions();
  const q = useTeams();
  const users = useUsers().data ?? [];
  const [editing, setEditing] = useState<Team | null | 'new'>(null);
  const [channelsOf, setChannelsOf] = useState<string | null>(null);
  const name = (id: string) => users.find((u) => u.id === id)?.name ?? 'unknown';
  return (
    <>
      <PeopleTabs />
      <PageHeader title="Teams">
        {isAdmin && (
          <Button leftSection={<IconPlus size={18} />} onClick={() => setEditing('new')}>
            New team
          </Button>
        )}
      </PageHeader>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && <Text c="dimmed">No teams yet.</Text>}
        <Stack gap="xs">
          {q.data?.map((t) => (
            <Card
              key={t.id}
              withBorder
              radius="md"
              p="md"
              style={perms.can('manage', t.id) ? { cursor: 'pointer' } : undefined}
              onClick={() => perms.can('manage', t.id) && setEditing(t)}
              data-testid="team-card"
            >
              <Text fw={700}>{t.name}</Text>
              {t.description && (
                <Text size="sm" c="dimmed">
                  {t.description}
                </Text>
              )}
              <Group gap={6} mt={6}>
                {t.members.map((m) => (
                  <Badge key={m.userId} variant={m.role === 'manager' ? 'filled' : 'light'}>
                    {name(m.userId)}
                    {m.access ? ` · team ${m.access}` : ''}
                  </Badge>
                ))}
                {t.members.length === 0 && (
                  <Text size="sm" c="orange">
                    No members
                  </Text>
                )}
              </Group>
              <Anchor component={Link} to={`/postmortems/action-items?team=${t.id}`} size="sm" mt={6} display="inline-block" onClick={(e) => e.stopPropagation()} data-testid="team-action-items">
                Open action items
              </Anchor>
              {/* The team's chat channels (the default of its services), opened on demand; clicks here do not open the editor. */}
              <Box mt={6} onClick={(e) => e.stopPropagation()}>
                {channelsOf === t.id ? (
                  <ChatChannels owner="teams" id={t.id} canEdit={perms.can('manage', t.id)} />
                ) : (
                  <Button variant="subtle" mih={44} px={0} onClick={() => setChannelsOf(t.id)} data-testid="team-chat-channels">
                    Chat channels
                  </Button>
                )}
              </Box>
            </Card>
          ))}
        </Stack>
      </QueryState>
      {editing && <TeamEditor team={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </>
  );
}
