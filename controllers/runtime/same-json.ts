// Structural equality of JSON values: key order does not matter, and a key set to undefined is a key absent.

import { isDeepStrictEqual } from "node:util";

const normal = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

export const sameJson = (a: unknown, b: unknown): boolean => isDeepStrictEqual(normal(a), normal(b));
