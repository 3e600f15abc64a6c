import { Button, Group, Menu, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconCheck, IconCircleCheck, IconClockPause, IconX } from '@tabler/icons-react';
import { errorMessage } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { SNOOZE_CHOICES, stormApi } from './storm-api.ts';

type Bulk = { action: 'acknowledge' | 'resolve' | 'snooze'; minutes?: number };

const DONE: Record<Bulk['action'], string> = { acknowledge: 'acknowledged', resolve: 'resolved', snooze: 'snoozed' };

/**
 * The bar of a bulk selection, fixed at the bottom of the screen (thumb reach, above the tab bar on a
 * phone): acknowledge, snooze or resolve every selected incident at once. Says how many it changed
 * and which could not be changed, and why.
 */
export function BulkBar({ ids, onDone, onCancel }: { ids: string[]; onDone: () => void; onCancel: () => void }) {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (b: Bulk) => stormApi.bulk(ids, b.action, b.minutes),
    onSuccess: (results, b) => {
      void qc.invalidateQueries({ queryKey: keys.incidentLists });
      const changed = results.filter((r) => r.ok && r.changed).length;
      const failed = results.filter((r) => !r.ok);
      notifications.show({
        color: failed.length ? 'orange' : b.action === 'resolve' ? 'green' : 'yellow',
        message: `${changed} incident${changed === 1 ? '' : 's'} ${DONE[b.action]}${failed[0] ? `; ${failed.length} not: ${failed[0].error?.message ?? ''}` : ''}`,
        autoClose: 3500,
      });
      onDone();
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Could not do that', message: errorMessage(e) }),
  });
  const n = ids.length;
  const busy = m.isPending ? m.variables?.action : null;
  // The three actions' shared look: tall for a thumb, labels at 16 px so none is cut at 390 px.
  const action = { size: 'lg', fz: 'md', px: 6, disabled: !n || m.isPending } as const;
  return (
    <div className="klx-bulk-bar" data-testid="bulk-bar">
      <Group justify="space-between" mb={6} wrap="nowrap">
        <Text fw={700} data-testid="bulk-count">
          {n} selected
        </Text>
        <Button variant="subtle" size="lg" leftSection={<IconX size={18} />} onClick={onCancel} data-testid="bulk-cancel">
          Cancel
        </Button>
      </Group>
      <Group grow gap="sm" wrap="nowrap">
        <Button {...action} color="yellow" c="dark.9" leftSection={<IconCheck size={20} />} loading={busy === 'acknowledge'} onClick={() => m.mutate({ action: 'acknowledge' })} data-testid="bulk-ack">
          Ack
        </Button>
        <Menu position="top" withinPortal styles={{ item: { minHeight: 48, fontSize: 16 } }}>
          <Menu.Target>
            <Button {...action} variant="outline" color="gray" leftSection={<IconClockPause size={20} />} loading={busy === 'snooze'} data-testid="bulk-snooze">
              Snooze
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>Page again after</Menu.Label>
            {SNOOZE_CHOICES.map((c) => (
              <Menu.Item key={c.minutes} onClick={() => m.mutate({ action: 'snooze', minutes: c.minutes })} data-testid={`bulk-snooze-${c.minutes}`}>
                {c.label}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
        <Button {...action} color="green" leftSection={<IconCircleCheck size={20} />} loading={busy === 'resolve'} onClick={() => m.mutate({ action: 'resolve' })} data-testid="bulk-resolve">
          Resolve
        </Button>
      </Group>
    </div>
  );
}
