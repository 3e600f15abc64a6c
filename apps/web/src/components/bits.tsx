import { Alert, Badge, Button, Center, Code, CopyButton, Group, Loader, ScrollArea, Stack, Text, Title, Tooltip, ActionIcon } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client.ts';
import type { IncidentStatus } from '@klaxon/contract';

/** The API's message for a whole form, shown above its submit button. */
export function FormAlert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" data-testid="form-error">
      {message}
    </Alert>
  );
}

/** A screen's title with its actions on the right (wrapping under it on a phone). */
export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <Group justify="space-between" align="center" mb="md" gap="sm" wrap="wrap">
      <Title order={1} fz={{ base: 22, sm: 26 }}>
        {title}
      </Title>
      {children && <Group gap="xs">{children}</Group>}
    </Group>
  );
}

/** Loading and error states of a query, or its content. */
export function QueryState({ isPending, error, retry, children }: { isPending: boolean; error: unknown; retry?: () => void; children: ReactNode }) {
  if (isPending) {
    return (
      <Center py="xl">
        <Loader />
      </Center>
    );
  }
  if (error) {
    return (
      <Alert color="red" variant="light" title="Could not load" icon={<IconAlertTriangle size={18} />}>
        <Stack gap="xs">
          <Text size="sm">{errorMessage(error)}</Text>
          {retry && (
            <Button size="xs" variant="light" onClick={retry} w="fit-content">
              Try again
            </Button>
          )}
        </Stack>
      </Alert>
    );
  }
  return <>{children}</>;
}

const STATUS_COLOR: Record<IncidentStatus, string> = { triggered: 'red', acknowledged: 'yellow', resolved: 'green' };

/** An incident's status as a coloured badge. */
export function StatusBadge({ status, size = 'md' }: { status: IncidentStatus; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={STATUS_COLOR[status]} size={size} variant={status === 'triggered' ? 'filled' : 'light'} data-status={status}>
      {status}
    </Badge>
  );
}

const SEVERITY_COLOR: Record<string, string> = { critical: 'red', error: 'orange', warning: 'yellow', info: 'blue' };

/** A severity as a small outlined badge. */
export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <Badge color={SEVERITY_COLOR[severity] ?? 'gray'} variant="outline" size="sm">
      {severity}
    </Badge>
  );
}

/** A block of text to paste somewhere else, with a copy button. */
export function CopyBlock({ value, label, testId, wrap = false }: { value: string; label?: string; testId?: string; wrap?: boolean }) {
  return (
    <Stack gap={4}>
      {label && (
        <Text size="sm" fw={600}>
          {label}
        </Text>
      )}
      <div style={{ position: 'relative' }}>
        <ScrollArea type="auto" offsetScrollbars>
          <Code block data-testid={testId} style={{ paddingRight: 48, whiteSpace: wrap ? 'pre-wrap' : 'pre', wordBreak: wrap ? 'break-all' : undefined, fontSize: 13 }}>
            {value}
          </Code>
        </ScrollArea>
        <div style={{ position: 'absolute', top: 6, right: 6 }}>
          <CopyButton value={value} timeout={1500}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow position="left">
                <ActionIcon color={copied ? 'teal' : 'gray'} variant="subtle" onClick={copy} size="lg" aria-label={`Copy ${label ?? 'text'}`}>
                  {copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        </div>
      </div>
    </Stack>
  );
}
