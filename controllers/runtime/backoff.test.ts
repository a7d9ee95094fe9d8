import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

const policy = { baseMs: 5, maxMs: 1000 };

describe("backoffDelay", () => {
  it.each([
    ["waits nothing before any failure", 0, 0],
    ["waits the base after the first failure", 1, 5],
    ["doubles after each further failure", 4, 40],
    ["stops at the cap", 9, 1000],
    ["stays at the cap however many failures pile up", 5000, 1000],
  ])("%s", (_name, failures, expected) => {
    expect(backoffDelay(policy, failures)).toBe(expected);
  });
});
