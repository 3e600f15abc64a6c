import { useCallback, useState } from 'react';
import { ApiError, errorMessage } from '../api/client.ts';

/** Error state for one form: the API's message on top and its field messages under the fields. */
export interface FormErrors {
  /** The overall message, or null. */
  message: string | null;
  /** The API's message for a field path (`name`, `levels.0.delayMinutes`), or a local one. */
  field(path: string): string | undefined;
  /** Field messages under a path prefix (`levels.0.targets`), joined. */
  under(prefix: string): string | undefined;
  set(e: unknown): void;
  setField(path: string, message: string | undefined): void;
  clear(): void;
}

/** Keeps the errors of one form. `set` takes whatever a mutation threw. */
export function useFormErrors(): FormErrors {
  const [message, setMessage] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const set = useCallback((e: unknown) => {
    setMessage(errorMessage(e));
    setFields(e instanceof ApiError ? e.fields() : {});
  }, []);
  const clear = useCallback(() => {
    setMessage(null);
    setFields({});
  }, []);
  const setField = useCallback((path: string, m: string | undefined) => {
    setFields((f) => {
      if (m) return { ...f, [path]: m };
      const { [path]: _gone, ...rest } = f;
      return rest;
    });
  }, []);
  return {
    message,
    field: (path) => fields[path],
    under: (prefix) => {
      const list = Object.entries(fields)
        .filter(([p]) => p === prefix || p.startsWith(`${prefix}.`))
        .map(([, m]) => m);
      return list.length ? list.join('; ') : undefined;
    },
    set,
    setField,
    clear,
  };
}
