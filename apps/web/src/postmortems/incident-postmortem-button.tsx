import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconFileText } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router-dom';
import { ApiError, errorMessage } from '../api/client.ts';
import { postmortemApi } from '../api/postmortems.ts';
import type { Incident } from '@klaxon/contract';
import { usePermissions } from '../lib/permissions.ts';
import { StateBadge } from './common.tsx';
import { keys } from '../api/keys.ts';

/**
 * On a resolved incident: "Postmortem" opens its postmortem, or drafts one from the timeline first
 * (responders, globally or of the incident's service's team). Renders nothing while the incident is open.
 */
export function IncidentPostmortemButton({ inc }: { inc: Incident }) {
  const canRespond = usePermissions().canOnService('respond', inc.serviceId);
  const navigate = useNavigate();
  const qc = useQueryClient();
  const resolved = inc.status === 'resolved';
  // GET /incidents/:id/postmortem: null when there is none yet (a 200, so no console error).
  const existing = useQuery({ queryKey: keys.postmortems.ofIncident(inc.id), queryFn: () => postmortemApi.ofIncident(inc.id), enabled: resolved, retry: false });
  const create = useMutation({
    mutationFn: () => postmortemApi.create(inc.id),
    onSuccess: (p) => {
      qc.setQueryData(keys.postmortems.one(p.id), p);
      void qc.invalidateQueries({ queryKey: keys.postmortems.all });
      navigate(`/postmortems/${p.id}`);
    },
    onError: (e) => {
      // Someone else drafted it meanwhile: open theirs.
      if (e instanceof ApiError && e.status === 409 && /already/.test(e.message)) navigate(`/postmortems/${inc.id}`);
    },
  });
  if (!resolved) return null;
  const p = existing.data;
  const none = existing.data === null;
  if (!p && !none && existing.isPending) return null;
  if (!p && !canRespond) return null;
  return (
    <Stack gap={4} data-testid="incident-postmortem">
      <Group gap="sm" wrap="wrap">
        {p ? (
          <Button component={Link} to={`/postmortems/${p.id}`} size="md" variant="light" leftSection={<IconFileText size={20} />} data-testid="postmortem-button">
            Postmortem
          </Button>
        ) : (
          <Button size="md" leftSection={<IconFileText size={20} />} loading={create.isPending} onClick={() => create.mutate()} data-testid="postmortem-button">
            Postmortem
          </Button>
        )}
        {p ? (
          <StateBadge state={p.state} />
        ) : (
          <Text size="sm" c="dimmed">
            Drafts it from the timeline
          </Text>
        )}
        <Anchor component={Link} to="/postmortems" size="sm">
          All postmortems
        </Anchor>
      </Group>
      {create.error && !(create.error instanceof ApiError && create.error.status === 409 && /already/.test(create.error.message)) && (
        <Text c="red" size="sm" role="alert">
          {errorMessage(create.error)}
        </Text>
      )}
    </Stack>
  );
}
