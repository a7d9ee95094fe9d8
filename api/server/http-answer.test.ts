import { describe, expect, it } from "vitest";
import { answerWithEtag, etagOf, ifNoneMatchHits } from "./http-answer.js";

describe("ifNoneMatchHits", () => {
  const etag = etagOf("body");
  const cases = [
    { name: "hits on the same ETag", header: etag, hits: true },
    { name: "hits on one of several ETags", header: `"other", ${etag}`, hits: true },
    { name: "hits on a weak form of the ETag", header: `W/${etag}`, hits: true },
    { name: "hits on *", header: "*", hits: true },
    { name: "misses on another ETag", header: '"other"', hits: false },
    { name: "misses without the header", header: undefined, hits: false },
  ];
  it.each(cases)("$name", ({ header, hits }) => {
    expect(ifNoneMatchHits(header, etag)).toBe(hits);
  });
});

describe("answerWithEtag", () => {
  it("answers 200 with the body, its content type and its ETag", () => {
    expect(answerWithEtag({ body: "x", contentType: "application/json", headers: { Vary: "Accept" } })).toEqual({
      status: 200,
      headers: { "Content-Type": "application/json", Vary: "Accept", ETag: etagOf("x") },
      body: "x",
    });
  });

  it("answers 304 with no body when the client has it", () => {
    expect(answerWithEtag({ body: "x", contentType: "application/json", ifNoneMatch: etagOf("x") })).toEqual({ status: 304, headers: { ETag: etagOf("x") } });
  });

  it("makes different ETags for different bodies", () => {
    expect(etagOf("a")).not.toBe(etagOf("b"));
  });
});
