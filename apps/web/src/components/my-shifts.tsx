import { ActionIcon, Anchor, Button, Group, Paper, Stack, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api/client.ts';
import { useUsers } from '../api/queries.ts';
import { useFormErrors } from '../lib/form.ts';
import { duration, spanText } from '../schedules/time.ts';
import { useSession } from '../session.tsx';
import { CopyBlock, FormAlert, QueryState } from './bits.tsx';
import { keys } from '../api/keys.ts';

/** My upcoming shifts on every schedule, in my own time zone. */
export function MyShifts() {
  const { user } = useSession();
  const users = useUsers().data ?? [];
  const q = useQuery({ queryKey: keys.shifts(user.id), queryFn: () => api.shifts(user.id) });
  return (
    <Stack gap="xs" data-testid="my-shifts">
      <Title order={3}>My shifts</Title>
      <Text size="sm" c="dimmed">
        The next 4 weeks, in your time zone ({user.timeZone}).
      </Text>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.shifts.length === 0 && <Text c="dimmed">No shifts in the next 4 weeks.</Text>}
        {q.data?.shifts.map((s) => {
          const others = s.userIds.filter((id) => id !== user.id).map((id) => users.find((u) => u.id === id)?.name ?? id);
          return (
            <Paper key={`${s.scheduleId}-${s.start}`} withBorder p="sm" radius="md" data-testid="my-shift">
              <Text fw={600}>
                <Anchor component={Link} to={`/schedules/${s.scheduleId}`}>
                  {s.scheduleName}
                </Anchor>
                {s.source.kind === 'override' ? ' · override' : ''}
              </Text>
              <Text size="sm">
                {spanText(s.start, s.end, user.timeZone)} · {duration(s.end - s.start)}
              </Text>
              {others.length > 0 && (
                <Text size="sm" c="dimmed">
                  with {others.join(', ')}
                </Text>
              )}
            </Paper>
          );
        })}
      </QueryState>
    </Stack>
  );
}

/** My calendar feed: a secret iCal URL, shown once when made. */
export function MyCalendarLink() {
  const { user } = useSession();
  const errors = useFormErrors();
  const [url, setUrl] = useState<string | null>(null);
  const m = useMutation({ mutationFn: () => api.userIcalSecret(user.id), onSuccess: setUrl, onError: errors.set });
  return (
    <Stack gap="xs">
      <Title order={3}>My calendar (iCal)</Title>
      <Text size="sm" c="dimmed">
        Subscribe to your shifts in any calendar app. The URL is secret and shown once; making a new one stops the old one.
      </Text>
      {url && <CopyBlock value={url} testId="my-ical-url" wrap />}
      <FormAlert message={errors.message} />
      <Button variant="light" onClick={() => m.mutate()} loading={m.isPending} w="fit-content" data-testid="my-ical">
        {url ? 'Make a new URL' : 'Get my calendar URL'}
      </Button>
    </Stack>
  );
}

/** My leave: rotations skip me and the next person covers (nobody's turn moves). */
export function MyLeave() {
  const { user } = useSession();
  const qc = useQueryClient();
  const errors = useFormErrors();
  const key = keys.leave(user.id);
  const q = useQuery({ queryKey: key, queryFn: () => api.leave.list(user.id) });
  const [v, setV] = useState({ start: '', end: '', note: '' });
  const done = () => {
    void qc.invalidateQueries({ queryKey: key });
    void qc.invalidateQueries({ queryKey: keys.shifts(user.id) });
    void qc.invalidateQueries({ queryKey: keys.everySchedule });
  };
  const add = useMutation({
    // Local date-times: the server reads them in my zone.
    mutationFn: () => api.leave.add(user.id, { start: v.start, end: v.end, ...(v.note && { note: v.note }) }),
    onSuccess: () => {
      done();
      setV({ start: '', end: '', note: '' });
      notifications.show({ message: 'Leave recorded', color: 'green' });
    },
    onError: errors.set,
  });
  const remove = useMutation({ mutationFn: (id: string) => api.leave.remove(id), onSuccess: done, onError: errors.set });
  return (
    <Stack gap="xs">
      <Title order={3}>Leave</Title>
      <Text size="sm" c="dimmed">
        While you are away, the next person in each rotation covers; nobody's turns move.
      </Text>
      {q.data?.map((l) => (
        <Group key={l.id} justify="space-between" wrap="nowrap" data-testid="leave-row">
          <Text size="sm">
            {spanText(l.start, l.end, user.timeZone)}
            {l.note ? ` · ${l.note}` : ''}
          </Text>
          <Tooltip label="Remove">
            <ActionIcon variant="subtle" color="red" onClick={() => remove.mutate(l.id)} aria-label="Remove leave">
              <IconTrash size={18} />
            </ActionIcon>
          </Tooltip>
        </Group>
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          errors.clear();
          if (!v.start) return errors.setField('start', 'Pick when your leave starts');
          if (!v.end) return errors.setField('end', 'Pick when your leave ends');
          add.mutate();
        }}
        noValidate
      >
        <Stack gap="sm">
          <Group grow wrap="wrap" align="flex-start">
            <TextInput
              type="datetime-local"
              label="From"
              description={`In ${user.timeZone}`}
              value={v.start}
              onChange={(e) => setV({ ...v, start: e.currentTarget.value })}
              error={errors.field('start')}
              style={{ minWidth: 200 }}
              data-testid="leave-start"
            />
            <TextInput
              type="datetime-local"
              label="To"
              value={v.end}
              onChange={(e) => setV({ ...v, end: e.currentTarget.value })}
              error={errors.field('end')}
              style={{ minWidth: 200 }}
              data-testid="leave-end"
            />
          </Group>
          <TextInput label="Note" placeholder="Holiday" value={v.note} onChange={(e) => setV({ ...v, note: e.currentTarget.value })} error={errors.field('note')} />
          <FormAlert message={errors.message} />
          <Button type="submit" variant="light" loading={add.isPending} w="fit-content" data-testid="leave-save">
            Add leave
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
