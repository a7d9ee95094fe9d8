import { describe, expect, it } from "vitest";
import type { ApiKeySecret } from "../../api/types/auth-api.js";
import { renderApiKeyBox } from "./api-key-box.js";

const key = (change: Partial<ApiKeySecret> = {}): ApiKeySecret => ({
  keyId: "ak_7x8Kj2mNp3Qr5tWv9yBc",
  secret: "clk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0",
  name: "ci-cd-pipeline",
  displayName: "CI/CD Pipeline",
  scopes: ["workloads:*", "nodes:read"],
  expiresAt: "2026-05-06T08:00:00Z",
  ...change,
});

// The guide's Authentication chapter, character for character (without its "# " comment marks).
const GUIDE_BOX = `API Key created successfully
════════════════════════════════════════════════════════════════
Key ID:     ak_7x8Kj2mNp3Qr5tWv9yBc
Secret:     clk_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0  ← SAVE THIS!
Name:       CI/CD Pipeline
Scopes:     workloads:*, nodes:read
Expires:    2026-05-06T08:00:00Z
════════════════════════════════════════════════════════════════
WARNING: The secret will not be shown again!
`;

describe("renderApiKeyBox", () => {
  const cases: { name: string; key: ApiKeySecret; title: string; check: (text: string) => void }[] = [
    { name: "prints the guide's box exactly", key: key(), title: "API Key created successfully", check: (t) => expect(t).toBe(GUIDE_BOX) },
    { name: "says never for a key without expiry", key: key({ expiresAt: undefined }), title: "API Key created successfully", check: (t) => expect(t).toContain("\nExpires:    never\n") },
    { name: "uses the given title for a rotation", key: key(), title: "API Key rotated successfully", check: (t) => expect(t.split("\n")[0]).toBe("API Key rotated successfully") },
    { name: "draws both rules 64 characters wide", key: key(), title: "t", check: (t) => expect(t.split("\n").filter((l) => /^═+$/.test(l)).map((l) => l.length)).toEqual([64, 64]) },
  ];
  it.each(cases)("$name", ({ key: k, title, check }) => check(renderApiKeyBox(k, title)));
});
