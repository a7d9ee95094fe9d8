import { describe, expect, it } from "vitest";
import { apiKeyObjectName } from "./api-key-name.js";

describe("apiKeyObjectName", () => {
  it.each([
    { name: "turns the guide's display name into ci-cd-pipeline", display: "CI/CD Pipeline", attempt: 1, want: "ci-cd-pipeline" },
    { name: "adds -2 on the second attempt", display: "CI/CD Pipeline", attempt: 2, want: "ci-cd-pipeline-2" },
    { name: "drops accents and trims dashes at both ends", display: "  Déploiement nocturne! ", attempt: 1, want: "deploiement-nocturne" },
    { name: "falls back to apikey when nothing is left", display: "→ ★", attempt: 1, want: "apikey" },
    { name: "cuts long names without ending on a dash", display: `${"a".repeat(47)} bcd`, attempt: 1, want: "a".repeat(47) },
  ])("$name", ({ display, attempt, want }) => {
    const got = apiKeyObjectName(display, attempt);
    expect(got).toBe(want);
    expect(got).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
