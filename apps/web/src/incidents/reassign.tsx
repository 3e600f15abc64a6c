import { Button, Modal, Select, Stack, Text } from '@mantine/core';
import { Segmented } from '../components/segmented.tsx';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconUserShare } from '@tabler/icons-react';
import { useState } from 'react';
import { api, errorMessage } from '../api/client.ts';
import { keys, usePolicies, useUsers } from '../api/queries.ts';
import type { Incident } from '@klaxon/contract';

/**
 * Reassign an open incident: to a person (paged at once; if they do not acknowledge, the incident's
 * policy follows from its first level) or to another escalation policy (restarts at its level 1).
 */
export function ReassignButton({ inc }: { inc: Incident }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<'user' | 'policy'>('user');
  const [target, setTarget] = useState<string | null>(null);
  const users = useUsers();
  const policies = usePolicies();
  const m = useMutation({
    mutationFn: () => api.incidents.reassign(inc.id, kind === 'user' ? { user: target ?? '' } : { escalationPolicy: target ?? '' }),
    onSuccess: (r) => {
      setOpen(false);
      setTarget(null);
      qc.setQueryData(keys.incident(inc.id), r.incident);
      qc.setQueryData(keys.incident(String(inc.number)), r.incident);
      void qc.invalidateQueries({ queryKey: keys.timeline(inc.id) });
      void qc.invalidateQueries({ queryKey: keys.incidentLists });
      notifications.show({ message: `Reassigned: ${r.incident.escalationPolicyName ?? ''} paged now`, autoClose: 3000 });
    },
  });
  const data =
    kind === 'user'
      ? (users.data ?? []).filter((u) => u.role !== 'viewer' && u.role !== 'stakeholder').map((u) => ({ value: u.id, label: `${u.name} · ${u.email}` }))
      : (policies.data ?? []).map((p) => ({ value: p.id, label: p.name }));
  return (
    <>
      <Button size="lg" variant="outline" leftSection={<IconUserShare size={22} />} onClick={() => setOpen(true)} data-testid="reassign-button">
        Reassign
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Reassign #${inc.number}`} centered>
        <Stack>
          <Segmented
            fullWidth
            value={kind}
            onChange={(v) => {
              setKind(v as 'user' | 'policy');
              setTarget(null);
              m.reset();
            }}
            data={[
              { value: 'user', label: 'A person' },
              { value: 'policy', label: 'An escalation policy' },
            ]}
            data-testid="reassign-kind"
          />
          <Text size="sm" c="dimmed">
            {kind === 'user'
              ? 'They are paged now. If they do not acknowledge, escalation continues from the first level of the current policy.'
              : 'Escalation restarts at the first level of the policy you choose; the current policy pages no more.'}
          </Text>
          <Select
            label={kind === 'user' ? 'Person' : 'Escalation policy'}
            placeholder="Type to search"
            searchable
            data={data}
            value={target}
            onChange={setTarget}
            error={m.error ? errorMessage(m.error) : undefined}
            comboboxProps={{ withinPortal: true }}
            data-testid="reassign-target"
          />
          <Button size="md" disabled={!target} loading={m.isPending} onClick={() => m.mutate()} data-testid="reassign-confirm">
            Reassign and page now
          </Button>
        </Stack>
      </Modal>
    </>
  );
}
