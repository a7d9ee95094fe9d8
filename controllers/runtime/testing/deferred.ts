// Test helpers: a promise settled from outside, and a turn of the event loop for pending continuations.

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every continuation already queued run (one macrotask turn); it does not wait for time to pass. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
