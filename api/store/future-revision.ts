// Reading or compacting at a revision the store has not reached yet is a caller error on every backend.

export const futureRevisionError = (requested: number, current?: number): RangeError =>
  new RangeError(
    current === undefined
      ? `revision ${requested} is newer than the store's current revision`
      : `revision ${requested} is newer than the store's current revision ${current}`,
  );
