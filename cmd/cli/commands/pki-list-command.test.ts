import { describe, expect, it } from "vitest";
import { CapturedOutput, TerminalOutput } from "../testing/cli-harness.js";
import { certificateFixture, condition, named, noStatus, withCondition, withSpec, withStatus } from "../testing/pki-fixture.js";
import { daysLeft, renderCertificateTable, useColour } from "./pki-list-command.js";

const NOW = Date.parse("2026-03-01T08:00:00Z");
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW + days * DAY).toISOString().replace(".000Z", "Z");
const RED = "\u001b[31m";
const YELLOW = "\u001b[33m";
const RESET = "\u001b[0m";
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");

const certs = [
  certificateFixture(named("node-gpu-node-1"), withSpec({ commonName: "gpu-node-1", revoked: true }), withStatus({ notAfter: at(5) })),
  certificateFixture(named("gateway"), withStatus({ notAfter: at(89.5) })),
  certificateFixture(named("clawbernetes-ca"), withSpec({ commonName: "Clawbernetes Root CA", isCA: true, issuerRef: undefined }), withStatus({ notAfter: at(3650) })),
  certificateFixture(named("old"), withStatus({ notAfter: at(-1) }), withCondition(condition("Ready", "False", "Expired"))),
  certificateFixture(named("soon"), withStatus({ notAfter: at(29) })),
  certificateFixture(named("new"), noStatus),
];

describe("renderCertificateTable", () => {
  it("prints one row per certificate, by name, with days left and no colour when asked for none", () => {
    expect(renderCertificateTable(certs, { nowMs: NOW, colour: false }).split("\n")).toEqual([
      "NAME              COMMON NAME            CA      ISSUER            READY    EXPIRES                DAYS LEFT   REVOKED",
      "clawbernetes-ca   Clawbernetes Root CA   true    self-signed       True     2036-02-27T08:00:00Z   3650        false",
      "gateway           gateway.example.com    false   clawbernetes-ca   True     2026-05-29T20:00:00Z   89          false",
      "new               gateway.example.com    false   clawbernetes-ca   <none>   <none>                 <none>      false",
      "node-gpu-node-1   gpu-node-1             false   clawbernetes-ca   True     2026-03-06T08:00:00Z   5           true",
      "old               gateway.example.com    false   clawbernetes-ca   False    2026-02-28T08:00:00Z   expired     false",
      "soon              gateway.example.com    false   clawbernetes-ca   True     2026-03-30T08:00:00Z   29          false",
      "",
    ]);
  });

  it("colours days left yellow under 30 and red under 7 or expired, and keeps the columns where they were", () => {
    const plain = renderCertificateTable(certs, { nowMs: NOW, colour: false });
    const coloured = renderCertificateTable(certs, { nowMs: NOW, colour: true });
    expect(stripAnsi(coloured)).toBe(plain);
    const lines = coloured.split("\n");
    const cells = (name: string) => lines.find((l) => l.startsWith(`${name} `))!;
    expect(cells("old")).toContain(`${RED}expired${RESET}`);
    expect(cells("node-gpu-node-1")).toContain(`${RED}5${RESET}`);
    expect(cells("soon")).toContain(`${YELLOW}29${RESET}`);
    for (const name of ["NAME", "clawbernetes-ca", "gateway", "new"]) expect(cells(name)).not.toContain("\u001b[");
  });
});

describe("useColour", () => {
  it.each([
    { name: "colours on a terminal", stdout: new TerminalOutput(), env: {}, want: true },
    { name: "does not colour into a pipe or a file", stdout: new CapturedOutput(), env: {}, want: false },
    { name: "does not colour when NO_COLOR is set, whatever its value", stdout: new TerminalOutput(), env: { NO_COLOR: "0" }, want: false },
    { name: "colours when NO_COLOR is empty, as no-color.org says", stdout: new TerminalOutput(), env: { NO_COLOR: "" }, want: true },
  ])("$name", ({ stdout, env, want }) => {
    expect(useColour(stdout, env)).toBe(want);
  });
});

describe("daysLeft", () => {
  it.each([
    { name: "counts whole days", notAfter: at(1.99), want: 1 },
    { name: "is 0 on the last day", notAfter: at(0.5), want: 0 },
    { name: "is expired at the instant itself", notAfter: at(0), want: "expired" },
    { name: "is unknown before the first issuance", notAfter: undefined, want: undefined },
  ])("$name", ({ notAfter, want }) => {
    expect(daysLeft(notAfter, NOW)).toBe(want);
  });
});
