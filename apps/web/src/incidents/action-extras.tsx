import { Button, Drawer, Menu, Select, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconArrowBigUpLines, IconClockPause, IconDots } from '@tabler/icons-react';
import { useState } from 'react';
import { api, errorMessage } from '../api/client.ts';
import { keys, useUsers } from '../api/queries.ts';
import type { Incident } from '@klaxon/contract';
import { useViewerZone } from '../lib/zone.tsx';
import { ReassignButton } from './reassign.tsx';
import { SNOOZE_CHOICES, stormApi } from './storm-api.ts';
import { showIncident } from './undo-resolve.tsx';

/** The snooze menu items: at least 44 px tall, for a thumb. */
const ITEM = { item: { minHeight: 48, fontSize: 16 } };

/** Snooze: stops paging for N minutes (acknowledged meanwhile), then pages again from where it was. */
export function SnoozeButton({ inc, disabled }: { inc: Incident; disabled: boolean }) {
  const zone = useViewerZone();
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (minutes: number) => stormApi.snooze(inc.id, minutes),
    onSuccess: (r) => {
      showIncident(qc, r.incident);
      notifications.show({ message: `#${inc.number} snoozed: pages again at ${zone.timeOfDay(r.incident.snoozedUntil ?? 0)}`, autoClose: 3000 });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Could not snooze', message: errorMessage(e) }),
  });
  return (
    <Menu position="top" withinPortal styles={ITEM}>
      <Menu.Target>
        <Button size="lg" variant="outline" color="gray" leftSection={<IconClockPause size={22} />} disabled={disabled || inc.status === 'resolved'} loading={m.isPending} data-testid="snooze-button">
          Snooze
        </Button>
      </Menu.Target>
      <Menu.Dropdown data-testid="snooze-menu">
        <Menu.Label>Page again after</Menu.Label>
        {SNOOZE_CHOICES.map((c) => (
          <Menu.Item key={c.minutes} onClick={() => m.mutate(c.minutes)} data-testid={`snooze-${c.minutes}`}>
            {c.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

/** Add a note to the timeline. */
function AddNote({ inc }: { inc: Incident }) {
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const m = useMutation({
    mutationFn: () => stormApi.note(inc.id, text),
    onSuccess: () => {
      setText('');
      void qc.invalidateQueries({ queryKey: keys.timeline(inc.id) });
      notifications.show({ message: 'Note added to the timeline', autoClose: 2500 });
    },
  });
  return (
    <Stack gap={6}>
      <Textarea label="Add a note" placeholder="What you found, what you tried" autosize minRows={2} value={text} onChange={(e) => setText(e.currentTarget.value)} data-testid="note-text" />
      {m.error && (
        <Text c="red" size="sm" role="alert">
          {errorMessage(m.error)}
        </Text>
      )}
      <Button size="md" disabled={!text.trim()} loading={m.isPending} onClick={() => m.mutate()} data-testid="note-add">
        Add note
      </Button>
    </Stack>
  );
}

/** Add a responder: paged now on their high-priority contact methods. */
function AddResponder({ inc }: { inc: Incident }) {
  const qc = useQueryClient();
  const users = useUsers();
  const [who, setWho] = useState<string | null>(null);
  const m = useMutation({
    mutationFn: () => stormApi.addResponder(inc.id, who ?? ''),
    onSuccess: (p) => {
      setWho(null);
      void qc.invalidateQueries({ queryKey: keys.timeline(inc.id) });
      const name = users.data?.find((u) => u.id === p.userId)?.name ?? 'They';
      notifications.show({
        message: p.channels.length ? `Paging ${name} on ${p.channels.join(', ')}` : `${name} has no high-priority contact method: not paged`,
        color: p.channels.length ? undefined : 'orange',
        autoClose: 3500,
      });
    },
  });
  return (
    <Stack gap={6}>
      <Select
        label="Add a responder"
        placeholder="Who?"
        data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
        value={who}
        onChange={setWho}
        searchable
        comboboxProps={{ withinPortal: true }}
        data-testid="responder-select"
      />
      {m.error && (
        <Text c="red" size="sm" role="alert">
          {errorMessage(m.error)}
        </Text>
      )}
      <Button size="md" variant="light" disabled={!who} loading={m.isPending} onClick={() => m.mutate()} data-testid="responder-add">
        Page them now
      </Button>
    </Stack>
  );
}

/**
 * "More": a sheet from the bottom of the screen (within thumb reach) with what an ordinary
 * incident needs besides acknowledge, snooze and resolve: escalate, reassign, add a responder, a note.
 */
export function MoreButton({ inc }: { inc: Incident }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const esc = useMutation({
    mutationFn: () => api.incidents.escalate(inc.id),
    onSuccess: (r) => {
      showIncident(qc, r.incident);
      notifications.show({ message: 'Escalated to the next level', color: 'orange', autoClose: 2500 });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Could not escalate', message: errorMessage(e) }),
  });
  const resolved = inc.status === 'resolved';
  return (
    <>
      <Button size="lg" variant="default" leftSection={<IconDots size={22} />} onClick={() => setOpen(true)} data-testid="more-button">
        More
      </Button>
      <Drawer opened={open} onClose={() => setOpen(false)} position="bottom" size="auto" title={`#${inc.number}: more`} data-testid="more-sheet">
        <Stack gap="md" pb="md">
          {!resolved && inc.escalationPolicyName && (
            <Button size="lg" variant="outline" color="orange" leftSection={<IconArrowBigUpLines size={22} />} onClick={() => esc.mutate()} loading={esc.isPending} data-testid="escalate-button">
              Escalate now
            </Button>
          )}
          {!resolved && <ReassignButton inc={inc} />}
          {!resolved && <AddResponder inc={inc} />}
          <AddNote inc={inc} />
        </Stack>
      </Drawer>
    </>
  );
}
