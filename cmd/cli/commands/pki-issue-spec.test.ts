import { describe, expect, it } from "vitest";
import { UsageError } from "../cli-errors.js";
import { gatewayPlan, nodePlan, parseDnsNames, parseIpAddresses, parseTimeout } from "./pki-issue-spec.js";

describe("gatewayPlan", () => {
  it("makes the guide's gateway certificate: named gateway, the first DNS name as common name, server auth, signed by the root CA", () => {
    expect(gatewayPlan({ dns: ["gateway.example.com"], ip: ["10.0.0.1"] })).toEqual({
      fileBase: "gateway",
      certificate: {
        apiVersion: "security.clawbernetes.com/v1",
        kind: "Certificate",
        metadata: { name: "gateway" },
        spec: {
          issuerRef: { name: "clawbernetes-ca" },
          commonName: "gateway.example.com",
          dnsNames: ["gateway.example.com"],
          ipAddresses: ["10.0.0.1"],
          usages: ["digital signature", "key encipherment", "server auth"],
        },
      },
    });
  });

  it.each([
    { name: "takes --name for the object and the files", flags: { name: "edge-gw", ip: ["10.0.0.2"] }, want: { fileBase: "edge-gw", certificate: { metadata: { name: "edge-gw" }, spec: { commonName: "edge-gw" } } } },
    { name: "takes names repeated, comma-separated and in capitals, once each", flags: { dns: ["A.example.com,b.example.com", "a.example.com"] }, want: { certificate: { spec: { dnsNames: ["a.example.com", "b.example.com"] } } } },
    { name: "leaves a first DNS name too long for a common name to the SANs", flags: { dns: [`${"a".repeat(60)}.example.com`] }, want: { certificate: { spec: { commonName: "gateway" } } } },
    { name: "passes --duration on", flags: { dns: ["gw.example.com"], duration: "8760h" }, want: { certificate: { spec: { duration: "8760h" } } } },
  ])("$name", ({ flags, want }) => {
    expect(gatewayPlan(flags)).toMatchObject(want);
  });

  it("refuses a gateway certificate with no name to reach it by", () => {
    expect(() => gatewayPlan({})).toThrow(new UsageError("a gateway certificate needs the names clients reach it by: --dns NAME… and/or --ip ADDRESS…, such as --dns gateway.example.com --ip 10.0.0.1"));
  });
});

describe("nodePlan", () => {
  it("makes a node identity: node-NAME, common name NAME, organization system:nodes, client and server auth", () => {
    expect(nodePlan({ name: "gpu-node-1", dns: ["gpu-node-1.example.com"] })).toEqual({
      fileBase: "node",
      certificate: {
        apiVersion: "security.clawbernetes.com/v1",
        kind: "Certificate",
        metadata: { name: "node-gpu-node-1" },
        spec: {
          issuerRef: { name: "clawbernetes-ca" },
          commonName: "gpu-node-1",
          subject: { organizations: ["system:nodes"] },
          dnsNames: ["gpu-node-1.example.com"],
          usages: ["digital signature", "key encipherment", "client auth", "server auth"],
        },
      },
    });
  });

  it.each([
    { name: "refuses a node without --name", flags: {}, message: "say which node: --name NODE, such as --name gpu-node-1" },
    { name: "refuses a node name that is no object name", flags: { name: "GPU_1" }, message: '--name: "GPU_1" is not a valid name' },
    { name: "refuses a node name longer than a common name may be", flags: { name: "n".repeat(65) }, message: "is longer than 64 characters" },
    { name: "refuses a duration without a unit", flags: { name: "n1", duration: "90" }, message: '--duration: "90" is not a duration' },
  ])("$name", ({ flags, message }) => {
    expect(() => nodePlan(flags)).toThrow(message);
  });
});

describe("flag values", () => {
  it.each([
    { value: "10.0.0", message: '--ip: "10.0.0" is not an IP address, such as 10.0.0.1 or fd00::1' },
    { value: "10.0.0.0/24", message: '--ip: "10.0.0.0/24" is a network; a certificate names single addresses, such as 10.0.0.1' },
    { value: "gateway.example.com", message: '--ip: "gateway.example.com" is not an IP address' },
    { value: "fe80::1%eth0", message: '--ip: "fe80::1%eth0" is not an IP address' },
  ])("--ip refuses $value", ({ value, message }) => {
    expect(() => parseIpAddresses([value])).toThrow(message);
  });

  it("--ip takes IPv4 and IPv6 addresses, lowercased, once each", () => {
    expect(parseIpAddresses(["10.0.0.1,FD00::1", "10.0.0.1"])).toEqual(["10.0.0.1", "fd00::1"]);
  });

  it.each([
    { value: "10.0.0.1", message: '--dns: "10.0.0.1" is an IP address; pass it with --ip' },
    { value: "gateway.example.com.", message: '--dns: "gateway.example.com." ends with a dot; write it without, such as gateway.example.com' },
    { value: "gate_way.example.com", message: '--dns: "gate_way.example.com" is not a DNS name' },
    { value: "https://gateway.example.com", message: "is not a DNS name" },
    { value: "-gw.example.com", message: "is not a DNS name" },
    { value: `${"a".repeat(64)}.example.com`, message: "is not a DNS name" },
    { value: "a.*.example.com", message: "is not a DNS name" },
  ])("--dns refuses $value", ({ value, message }) => {
    expect(() => parseDnsNames([value])).toThrow(message);
  });

  it("--dns takes a wildcard", () => {
    expect(parseDnsNames(["*.nodes.example.com"])).toEqual(["*.nodes.example.com"]);
  });

  it.each([
    { value: "60s", ms: 60_000 },
    { value: "5m", ms: 300_000 },
    { value: "1h30m", ms: 5_400_000 },
  ])("--timeout $value is $ms ms", ({ value, ms }) => {
    expect(parseTimeout(value)).toBe(ms);
  });

  it("--timeout refuses a bare number", () => {
    expect(() => parseTimeout("60")).toThrow(new UsageError('--timeout: "60" is not a duration; write a number and a unit d, h, m or s, such as 60s or 5m'));
  });
});
