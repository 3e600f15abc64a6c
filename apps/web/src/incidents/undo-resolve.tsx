import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { QueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { setupApi } from '../api/setup.ts';
import type { Incident } from '@klaxon/contract';

/** How long Undo is offered after Resolve. */
export const UNDO_MS = 10_000;

/** Puts a changed incident into the caches its screens read. */
export function showIncident(qc: QueryClient, next: Incident): void {
  qc.setQueryData(keys.incident(next.id), next);
  qc.setQueryData(keys.incident(String(next.number)), next);
  void qc.invalidateQueries({ queryKey: keys.timeline(next.id) });
  void qc.invalidateQueries({ queryKey: keys.incidentLists });
}

/**
 * After a resolve (button or `r` key, on the incident page or the list): a notice at the top of the
 * screen with Undo for UNDO_MS. Undo reopens the incident acknowledged; nobody is paged.
 */
export function offerUndoResolve(qc: QueryClient, inc: Pick<Incident, 'id' | 'number'>): void {
  const id = `resolved-${inc.id}-${Date.now()}`;
  const undo = () => {
    notifications.update({ id, loading: true, message: 'Reopening…', autoClose: false });
    setupApi
      .reopen(inc.id, false)
      .then((r) => {
        showIncident(qc, r.incident);
        notifications.update({ id, loading: false, color: 'yellow', message: `#${inc.number} reopened (acknowledged)`, autoClose: 3000 });
      })
      .catch((e: unknown) => notifications.update({ id, loading: false, color: 'red', title: 'Could not undo', message: errorMessage(e), autoClose: 6000 }));
  };
  notifications.show({
    id,
    color: 'green',
    autoClose: UNDO_MS,
    message: (
      <Group justify="space-between" wrap="nowrap" gap="sm" data-testid="resolved-toast">
        <Text size="sm">#{inc.number} resolved</Text>
        <Button size="compact-md" variant="light" onClick={undo} data-testid="undo-resolve">
          Undo
        </Button>
      </Group>
    ),
  });
}
