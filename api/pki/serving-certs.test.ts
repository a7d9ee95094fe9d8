import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureServingCerts } from "./serving-certs.js";
import { x509 } from "./x509.js";

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const NOW = Date.parse("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const sans = (pem: string) => new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value);

describe("ensureServingCerts", () => {
  it("creates a CA and a serving certificate it signed, for loopback and the listen host, keys mode 0600", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "claw-pki-")), "pki");
    const certs = await ensureServingCerts({ dir, hosts: ["10.1.2.3"], now: NOW, randomBytes: random });
    expect(certs.created).toEqual({ ca: true, cert: true });
    const ca = new x509.X509Certificate(certs.caPem);
    const leaf = new x509.X509Certificate(certs.certPem);
    expect(await leaf.verify({ publicKey: ca.publicKey, date: new Date(NOW) })).toBe(true);
    expect(sans(certs.certPem)).toEqual(expect.arrayContaining(["localhost", "127.0.0.1", "::1", "10.1.2.3"]));
    expect(statSync(join(dir, "ca.key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "server.key")).mode & 0o777).toBe(0o600);
  });

  it("reuses both on the next start", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "claw-pki-")), "pki");
    const first = await ensureServingCerts({ dir, hosts: [], now: NOW, randomBytes: random });
    const again = await ensureServingCerts({ dir, hosts: [], now: NOW + DAY, randomBytes: random });
    expect(again.created).toEqual({ ca: false, cert: false });
    expect(again.certPem).toBe(first.certPem);
  });

  it.each([
    ["the listen host changes to one the certificate does not name", { hosts: ["192.0.2.7"], at: NOW + DAY }],
    ["less than a third of its life is left", { hosts: [], at: NOW + 250 * DAY }],
  ])("renews the serving certificate, keeping the CA, when %s", async (_why, { hosts, at }) => {
    const dir = join(mkdtempSync(join(tmpdir(), "claw-pki-")), "pki");
    const first = await ensureServingCerts({ dir, hosts: [], now: NOW, randomBytes: random });
    const renewed = await ensureServingCerts({ dir, hosts, now: at, randomBytes: random });
    expect(renewed.created).toEqual({ ca: false, cert: true });
    expect(renewed.caPem).toBe(first.caPem);
    expect(readFileSync(join(dir, "server.crt"), "utf8")).not.toBe(first.certPem);
  });
});
