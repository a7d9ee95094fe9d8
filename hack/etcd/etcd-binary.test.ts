import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decideEtcd, findEtcdBinary } from "./etcd-binary.js";

describe("etcd test policy", () => {
  const cases = [
    { name: "runs etcd tests when the binary exists, in CI or not", binary: "/usr/bin/etcd", ci: true, expected: { available: true, binary: "/usr/bin/etcd" } },
    { name: "skips etcd tests with an install hint when the binary is missing outside CI", binary: undefined, ci: false, expected: { available: false, reason: expect.stringContaining("apt-get install -y etcd-server") } },
  ];
  for (const c of cases) it(c.name, () => expect(decideEtcd({ binary: c.binary, ci: c.ci })).toEqual(c.expected));

  it("fails instead of skipping when the binary is missing in CI", () => {
    expect(() => decideEtcd({ binary: undefined, ci: true })).toThrow(/etcd is required in CI/);
  });
});

describe("finding the etcd binary", () => {
  const dir = mkdtempSync(join(tmpdir(), "claw-etcd-bin-"));
  const fake = join(dir, "etcd");
  writeFileSync(fake, "#!/bin/sh\n");
  chmodSync(fake, 0o755);
  const notExecutable = join(dir, "not-executable");
  writeFileSync(notExecutable, "");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = [
    { name: "prefers ETCD_BIN when it is executable", env: { ETCD_BIN: fake, PATH: "" }, expected: fake },
    { name: "ignores an ETCD_BIN that is not executable", env: { ETCD_BIN: notExecutable, PATH: dir }, expected: undefined },
    { name: "finds etcd on PATH", env: { PATH: `/nonexistent:${dir}` }, expected: fake },
  ];
  for (const c of cases) it(c.name, () => expect(findEtcdBinary(c.env)).toBe(c.expected));
});
