/**
 * The one way to edit something in a dialog: a Mantine modal (full screen on a phone) holding a
 * form that submits on Enter, validates nothing natively (the API's and our own field messages
 * show under the fields), shows the form's overall error above its buttons, and keeps its submit
 * button where it is while it works (loading, not moving). Editors give the fields and what submit
 * does; errors are cleared before each submit.
 */
import { Button, Group, Modal, Stack, type ButtonProps } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import type { FormErrors } from '../lib/form.ts';
import { usePhone } from '../lib/phone.ts';
import { FormAlert } from './bits.tsx';

/** A dialog for a form: full screen on a phone, `size` on a desk. */
export function Dialog({ opened = true, onClose, title, size, children }: { opened?: boolean; onClose: () => void; title: string; size?: string; children: ReactNode }) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} fullScreen={usePhone()} size={size}>
      {children}
    </Modal>
  );
}

export interface FormDialogProps {
  opened?: boolean;
  onClose: () => void;
  title: string;
  errors: FormErrors;
  /** Runs on submit, after the errors were cleared; validate, then start the mutation. */
  onSubmit: () => void;
  submitLabel: string;
  pending: boolean;
  submitColor?: ButtonProps['color'];
  submitTestId?: string;
  formTestId?: string;
  /** More buttons after the submit button (e.g. Delete). */
  actions?: ReactNode;
  size?: string;
  children: ReactNode;
}

/** A form in a Dialog: fields, the overall error, then the submit button and any other actions. */
export function FormDialog({ opened, onClose, title, errors, onSubmit, submitLabel, pending, submitColor, submitTestId, formTestId, actions, size, children }: FormDialogProps) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    onSubmit();
  };
  return (
    <Dialog opened={opened} onClose={onClose} title={title} size={size}>
      <form onSubmit={submit} noValidate data-testid={formTestId}>
        <Stack>
          {children}
          <FormAlert message={errors.message} />
          <Group>
            <Button type="submit" loading={pending} color={submitColor} data-testid={submitTestId}>
              {submitLabel}
            </Button>
            {actions}
          </Group>
        </Stack>
      </form>
    </Dialog>
  );
}
