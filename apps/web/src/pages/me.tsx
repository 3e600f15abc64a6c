import { Button, Divider, Group, Paper, PasswordInput, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.ts';
import type { Session } from '@klaxon/contract';
import { FormAlert } from '../components/bits.tsx';
import { MyCalendarLink, MyLeave, MyShifts } from '../components/my-shifts.tsx';
import { ContactMethodsSection, RulesSection, TokensSection } from '../components/people.tsx';
import { PageHeader } from '../components/bits.tsx';
import { PeopleTabs } from '../components/people-tabs.tsx';
import { useFormErrors } from '../lib/form.ts';
import { timeZones } from '../lib/time.ts';
import { useSession } from '../session.tsx';
import { keys } from '../api/keys.ts';

function Profile() {
  const { user } = useSession();
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [v, setV] = useState({ name: user.name, timeZone: user.timeZone, password: '', currentPassword: '' });
  const m = useMutation({
    mutationFn: () =>
      api.users.update(user.id, { name: v.name.trim(), timeZone: v.timeZone, ...(v.password && { password: v.password, ...(v.currentPassword && { currentPassword: v.currentPassword }) }) }),
    onSuccess: (u) => {
      qc.setQueryData<Session | null>(keys.session, (s) => (s ? { ...s, user: u } : s));
      void qc.invalidateQueries({ queryKey: keys.users });
      setV({ ...v, password: '', currentPassword: '' });
      notifications.show({ message: 'Saved', color: 'green', autoClose: 1500 });
    },
    onError: errors.set,
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        errors.clear();
        m.mutate();
      }}
      noValidate
    >
      <Stack gap="sm">
        <Title order={3}>Profile</Title>
        <Text size="sm" c="dimmed">
          {user.email} · {user.role}
        </Text>
        <Group grow wrap="wrap" align="flex-start">
          <TextInput label="Name" value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} style={{ minWidth: 200 }} />
          <Select
            label="Time zone"
            searchable
            data={timeZones()}
            value={v.timeZone}
            onChange={(tz) => setV({ ...v, timeZone: tz ?? v.timeZone })}
            allowDeselect={false}
            error={errors.field('timeZone')}
            style={{ minWidth: 200 }}
          />
        </Group>
        <PasswordInput
          label="New password"
          description="Leave empty to keep the current one"
          autoComplete="new-password"
          value={v.password}
          onChange={(e) => setV({ ...v, password: e.currentTarget.value })}
          error={errors.field('password')}
        />
        {v.password && (
          <PasswordInput
            label="Current password"
            description="Needed to change your password"
            autoComplete="current-password"
            name="currentPassword"
            value={v.currentPassword}
            onChange={(e) => setV({ ...v, currentPassword: e.currentTarget.value })}
            error={errors.field('currentPassword')}
          />
        )}
        <FormAlert message={errors.message} />
        <Button type="submit" loading={m.isPending} w="fit-content">
          Save profile
        </Button>
      </Stack>
    </form>
  );
}

/** The signed-in user's own settings: how Klaxon reaches them, their rules and tokens. */
export default function Me() {
  const { user } = useSession();
  return (
    <>
      <PeopleTabs />
      <PageHeader title="Me" />
      <Stack gap="xl">
        <MyShifts />
        <Divider />
        <ContactMethodsSection userId={user.id} self />
        <Divider />
        <RulesSection userId={user.id} />
        <Divider />
        <Paper withBorder p="md" radius="md">
          <Profile />
        </Paper>
        <Divider />
        <MyCalendarLink />
        <Divider />
        <MyLeave />
        <Divider />
        <TokensSection userId={user.id} />
      </Stack>
    </>
  );
}
