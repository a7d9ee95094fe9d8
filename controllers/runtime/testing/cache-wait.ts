// Test helper: resolves when a predicate over an informer's cache holds, checked at every change the
// informer reports (event-driven; no polling, no sleeping).

import type { KubeObject } from "../../../api/machinery/meta.js";
import type { Informer } from "../informer.js";

export function cacheUntil<T extends KubeObject>(informer: Informer<T>, predicate: () => boolean): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve) => {
    let remove: (() => void) | undefined;
    let done = false;
    const check = () => {
      if (done || !predicate()) return;
      done = true;
      remove?.();
      resolve();
    };
    remove = informer.addHandler({ onAdd: check, onUpdate: check, onDelete: check });
    if (done) remove();
  });
}

/** Resolves when the cached object `name` satisfies `predicate` (or is gone, for `predicate` of undefined). */
export const objectUntil = <T extends KubeObject>(informer: Informer<T>, name: string, predicate: (obj: T | undefined) => boolean): Promise<void> =>
  cacheUntil(informer, () => predicate(informer.get(name)));
