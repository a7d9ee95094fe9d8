// List pagination tokens: the snapshot revision and the last key returned, opaque to clients.

import { badRequest } from "../machinery/errors.js";

export interface ContinueState {
  revision: number;
  startAfter: string;
}

export const encodeContinue = (state: ContinueState): string =>
  Buffer.from(JSON.stringify({ v: 1, rv: state.revision, start: state.startAfter })).toString("base64url");

export function decodeContinue(token: string): ContinueState {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { v?: unknown; rv?: unknown; start?: unknown };
    if (parsed.v === 1 && typeof parsed.rv === "number" && typeof parsed.start === "string") return { revision: parsed.rv, startAfter: parsed.start };
  } catch {
    // fall through to the error below
  }
  throw badRequest("the continue token is not valid; start the list again without 'continue'");
}
