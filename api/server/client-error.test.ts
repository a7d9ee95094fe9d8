// What a connection whose request Node could not parse is told (the HTTP round trips are in test/fuzz-regressions.test.ts).

import { describe, expect, it } from "vitest";
import { clientErrorAnswer, MAX_HEADER_BYTES } from "./client-error.js";

const error = (code: string) => Object.assign(new Error(code), { code });

describe("clientErrorAnswer", () => {
  it.each([
    ["headers over the limit get 431 naming the limit", "HPE_HEADER_OVERFLOW", 431, new RegExp(`larger than ${MAX_HEADER_BYTES} bytes`)],
    ["an unknown method gets 400 naming the parse error", "HPE_INVALID_METHOD", 400, /not valid HTTP\/1\.1 \(HPE_INVALID_METHOD\)/],
    ["bad chunked encoding gets 400", "HPE_INVALID_CHUNK_SIZE", 400, /HPE_INVALID_CHUNK_SIZE/],
  ])("%s", (_name, code, status, message) => {
    const answer = clientErrorAnswer(error(code));
    expect(answer?.code).toBe(status);
    expect(answer?.message).toMatch(message);
  });

  it.each(["ERR_HTTP_REQUEST_TIMEOUT", "ERR_HTTP_HEADERS_TIMEOUT"])("a slow client (%s) gets no Status: it is cut off at once", (code) => {
    expect(clientErrorAnswer(error(code))).toBeUndefined();
  });
});
