import { Button, type ButtonProps } from '@mantine/core';

import { useState, type ReactNode } from 'react';
import { Dialog } from '../components/form-dialog.tsx';

/** A button that asks once more before a destructive action ("Delete" → "Really delete?"). */
export function ConfirmButton({ label, confirm, onConfirm, loading, testId, ...rest }: { label: string; confirm: string; onConfirm: () => void; loading?: boolean; testId?: string } & ButtonProps) {
  const [armed, setArmed] = useState(false);
  return (
    <Button color="red" variant={armed ? 'filled' : 'subtle'} loading={loading} onClick={() => (armed ? onConfirm() : setArmed(true))} onBlur={() => setArmed(false)} data-testid={testId} {...rest}>
      {armed ? confirm : label}
    </Button>
  );
}

/** A form in a dialog, full screen on a phone: the app's one Dialog, at the status forms' size. */
export function FormModal({ opened, onClose, title, children }: { opened: boolean; onClose: () => void; title: string; children: ReactNode }) {
  return (
    <Dialog opened={opened} onClose={onClose} title={title} size="lg">
      {children}
    </Dialog>
  );
}
