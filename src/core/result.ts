// The outcome of an I/O step that may be retried: the whole contract between a part and its retry logic.

export type Outcome<T = void> =
  | { ok: true; value: T }
  | { ok: false; retryable: boolean; error: Error };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = (error: Error, retryable: boolean): Outcome<never> => ({ ok: false, retryable, error });
