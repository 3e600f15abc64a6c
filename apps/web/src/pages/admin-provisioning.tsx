import { Alert, Button, Card, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { CopyBlock, PageHeader, QueryState } from '../components/bits.tsx';
import { useViewerZone } from '../lib/zone.tsx';
import { ConfirmButton } from '../status/bits.tsx';

/**
 * Admin → Provisioning: the SCIM endpoint and its bearer token (docs/sso.md). The token is created
 * or rotated here and shown once (only its SHA-256 is stored, so neither rotating nor revoking can be
 * undone: both ask first); KLAXON_SCIM_TOKEN from the environment keeps working whatever is done here.
 */
export default function AdminProvisioning() {
  const zone = useViewerZone();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: keys.scimToken, queryFn: api.scimToken.get });
  const [secret, setSecret] = useState<string | null>(null);
  const done = () => void qc.invalidateQueries({ queryKey: keys.scimToken });
  const fail = (e: unknown) => notifications.show({ color: 'red', message: errorMessage(e) });
  const rotate = useMutation({
    mutationFn: api.scimToken.rotate,
    onSuccess: (r) => {
      setSecret(r.token);
      done();
    },
    onError: fail,
  });
  const revoke = useMutation({
    mutationFn: api.scimToken.revoke,
    onSuccess: () => {
      setSecret(null);
      done();
    },
    onError: fail,
  });
  const stored = q.data?.stored ?? null;
  return (
    <>
      <PageHeader title="Provisioning" />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          Your identity provider creates, updates and deactivates people and keeps teams in step with its groups through SCIM 2.0 at{' '}
          <code data-testid="scim-base-url">{`${window.location.origin}/scim/v2`}</code>, with a bearer token.
        </Text>
        {secret && (
          <Alert color="orange" variant="light" title="Copy the token now: it is shown only once" withCloseButton onClose={() => setSecret(null)}>
            <CopyBlock value={secret} testId="new-scim-token" wrap />
          </Alert>
        )}
        <QueryState isPending={q.isPending} error={q.error}>
          {q.data && (
            <Card withBorder radius="md" p="md">
              <Stack gap="sm">
                <Text fw={700}>Token created here</Text>
                {stored ? (
                  <Text size="sm" data-testid="scim-token-state">
                    Created {zone.dateTime(stored.createdAt)}, ends in …{stored.hint}.
                  </Text>
                ) : (
                  <Text size="sm" c="dimmed" data-testid="scim-token-state">
                    None.
                  </Text>
                )}
                <Group gap="sm" wrap="wrap">
                  {stored ? (
                    <ConfirmButton
                      label="Rotate token"
                      confirm="Replace it: the old token stops now"
                      variant="light"
                      onConfirm={() => rotate.mutate()}
                      loading={rotate.isPending}
                      testId="rotate-scim-token"
                      mih={44}
                    />
                  ) : (
                    <Button onClick={() => rotate.mutate()} loading={rotate.isPending} data-testid="create-scim-token" mih={44}>
                      Create token
                    </Button>
                  )}
                  {stored && (
                    <ConfirmButton
                      label="Revoke token"
                      confirm="Revoke it: SCIM requests with it stop now"
                      onConfirm={() => revoke.mutate()}
                      loading={revoke.isPending}
                      testId="revoke-scim-token"
                      mih={44}
                    />
                  )}
                </Group>
                <Text size="xs" c="dimmed">
                  Only a hash of the token is kept, so a rotation or revocation cannot be undone: create a new token and give it to the identity provider instead. Each is on the audit trail.
                </Text>
              </Stack>
            </Card>
          )}
          {q.data && (
            <Text size="sm" c="dimmed" data-testid="scim-env-token">
              {q.data.environment
                ? 'KLAXON_SCIM_TOKEN is set on the server: it keeps working whatever is done here.'
                : 'KLAXON_SCIM_TOKEN is not set on the server. With no token at all, SCIM is off.'}
            </Text>
          )}
        </QueryState>
      </Stack>
    </>
  );
}
