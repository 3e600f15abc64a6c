import { Badge, Button, Card, Checkbox, Group, Modal, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { api, errorMessage } from '../api/client.ts';
import { keys, useUsers } from '../api/queries.ts';
import { ROLES } from '@klaxon/contract/lists';
import type { Role, User } from '@klaxon/contract';
import { PageHeader, QueryState } from '../components/bits.tsx';
import { ContactMethodsSection, RulesSection, TokensSection } from '../components/people.tsx';
import { PeopleTabs } from '../components/people-tabs.tsx';
import { useFormErrors } from '../lib/form.ts';
import { timeZones } from '../lib/time.ts';
import { useSession } from '../session.tsx';
import { usePhone } from '../lib/phone.ts';
import { FormDialog } from '../components/form-dialog.tsx';

const ROLE_HELP: Record<Role, string> = {
  admin: 'Admin: everything, including people, services and policies',
  responder: 'Responder: acknowledge, resolve, escalate, open incidents',
  stakeholder: 'Stakeholder: follows incidents',
  viewer: 'Viewer: reads only',
};

function NewUser({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { user: me } = useSession();
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [v, setV] = useState({ email: '', name: '', role: 'responder' as Role, timeZone: me.timeZone, password: '', invite: true });
  const m = useMutation({
    mutationFn: async () => {
      const u = await api.users.create({ email: v.email.trim(), name: v.name.trim(), role: v.role, timeZone: v.timeZone, ...(!v.invite && v.password && { password: v.password }) });
      if (v.invite) {
        await api.users.invite(u.id);
        notifications.show({ color: 'green', message: `Invitation sent to ${u.email}` });
      }
      return u;
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.users });
      setV({ ...v, email: '', name: '', password: '' });
      onClose();
    },
    onError: errors.set,
  });
  return (
    <FormDialog opened={opened} onClose={onClose} title="Add a user" errors={errors} onSubmit={() => m.mutate()} submitLabel="Add user" pending={m.isPending}>
      <TextInput label="Name" value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} required />
      <TextInput label="Email" type="email" value={v.email} onChange={(e) => setV({ ...v, email: e.currentTarget.value })} error={errors.field('email')} required />
      <Select
        label="Role"
        data={ROLES.map((r) => ({ value: r, label: ROLE_HELP[r] }))}
        value={v.role}
        onChange={(r) => setV({ ...v, role: (r as Role) ?? 'responder' })}
        allowDeselect={false}
        error={errors.field('role')}
      />
      <Select label="Time zone" searchable data={timeZones()} value={v.timeZone} onChange={(tz) => setV({ ...v, timeZone: tz ?? v.timeZone })} allowDeselect={false} error={errors.field('timeZone')} />
      <Checkbox
        label="Email an invitation with a link to set their own password (7 days)"
        checked={v.invite}
        onChange={(e) => setV({ ...v, invite: e.currentTarget.checked })}
        data-testid="invite-by-email"
      />
      {!v.invite && (
        <PasswordInput
          label="Password"
          description="Optional: without one, the user can use API tokens only"
          value={v.password}
          onChange={(e) => setV({ ...v, password: e.currentTarget.value })}
          error={errors.field('password')}
          autoComplete="new-password"
        />
      )}
    </FormDialog>
  );
}

function UserDetail({ u, onClose }: { u: User; onClose: () => void }) {
  const qc = useQueryClient();
  const { user: me } = useSession();
  const remove = useMutation({
    mutationFn: () => api.users.remove(u.id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.users });
      onClose();
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const invite = useMutation({
    mutationFn: () => api.users.invite(u.id),
    onSuccess: () => notifications.show({ color: 'green', message: `Invitation sent to ${u.email}` }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  return (
    <Modal opened onClose={onClose} title={u.name} size="xl" fullScreen={usePhone()}>
      <Stack gap="xl">
        <Button variant="light" loading={invite.isPending} onClick={() => invite.mutate()} w="fit-content" data-testid="send-invite">
          Email a link to set their password
        </Button>
        <ContactMethodsSection userId={u.id} self={u.id === me.id} />
        <RulesSection userId={u.id} />
        <TokensSection userId={u.id} />
        {u.id !== me.id && (
          <Button color="red" variant="light" loading={remove.isPending} onClick={() => confirm(`Delete ${u.name}? They will no longer be paged.`) && remove.mutate()} w="fit-content">
            Delete user
          </Button>
        )}
      </Stack>
    </Modal>
  );
}

function RoleSelect({ u }: { u: User }) {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (role: Role) => api.users.update(u.id, { role }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.users }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  return (
    <Select
      size="sm"
      data={[...ROLES]}
      value={u.role}
      onChange={(r) => r && r !== u.role && m.mutate(r as Role)}
      allowDeselect={false}
      disabled={m.isPending}
      aria-label={`Role of ${u.name}`}
      w={150}
    />
  );
}

/** Everyone; admins add users, change roles, manage their contact methods and tokens. */
export default function Users() {
  const { isAdmin } = useSession();
  const q = useUsers();
  const [adding, a] = useDisclosure(false);
  const [open, setOpen] = useState<User | null>(null);
  return (
    <>
      <PeopleTabs />
      <PageHeader title="Users">
        {isAdmin && (
          <Button leftSection={<IconPlus size={18} />} onClick={a.open}>
            Add user
          </Button>
        )}
      </PageHeader>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        <Stack gap="xs">
          {q.data?.map((u) => (
            <Card key={u.id} withBorder radius="md" p="sm" data-testid="user-row">
              <Group justify="space-between" wrap="wrap" gap="xs">
                <div style={{ minWidth: 0 }}>
                  <Text fw={700}>{u.name}</Text>
                  <Text size="sm" c="dimmed" truncate>
                    {u.email} · {u.timeZone}
                  </Text>
                </div>
                <Group gap="xs">
                  {isAdmin ? <RoleSelect u={u} /> : <Badge variant="light">{u.role}</Badge>}
                  {isAdmin && (
                    <Button variant="light" size="sm" onClick={() => setOpen(u)}>
                      Manage
                    </Button>
                  )}
                </Group>
              </Group>
            </Card>
          ))}
        </Stack>
      </QueryState>
      <NewUser opened={adding} onClose={a.close} />
      {open && <UserDetail u={open} onClose={() => setOpen(null)} />}
    </>
  );
}
