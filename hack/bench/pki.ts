// hack/bench/pki: the PKI's crypto core, each figure beside a baseline measured in the same run.
//   (a) certificates issued per second, each for a fresh P-256 key (made and exported as PKCS#8 PEM), signed by a
//       P-256 CA with signCertificate (synchronous node:crypto), beside @peculiar/x509's X509CertificateGenerator
//       on async WebCrypto (the same extensions, key exported too, --concurrency in flight), rounds alternated.
//       Target: >= 1,000 certificates/s.
//   (b) TLS 1.3 handshakes per second against a node:tls server on 127.0.0.1 (P-256 certificates; client and
//       server share this process): without client certificates, with one (requestCert + rejectUnauthorized),
//       and with one plus the CA's 10,000-entry CRL; --concurrency connections at a time, ratios to the first.
//   (c) the time to sign a CA's CRL of --crl-entries entries.
//
//   npm run bench:pki -- [--certificates 3000] [--rounds 3] [--handshakes 2000] [--concurrency 8] [--crl-entries 10000]

import { randomBytes } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { parseArgs } from "node:util";
import type { CertificateTemplate, CrlEntry, SigningAuthority } from "../../api/pki/certificate-template.js";
import { signCertificate } from "../../api/pki/certificate-signer.js";
import { signCrl } from "../../api/pki/crl-signer.js";
import { generatePrivateKey } from "../../api/pki/private-key.js";
import { subtle, x509 } from "../../api/pki/x509.js";

const { values } = parseArgs({
  options: {
    certificates: { type: "string", default: "3000" },
    rounds: { type: "string", default: "3" },
    handshakes: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "8" },
    "crl-entries": { type: "string", default: "10000" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("usage: node dist/hack/bench/pki.js [--certificates 3000] [--rounds 3] [--handshakes 2000] [--concurrency 8] [--crl-entries 10000]");
  process.exit(0);
}
const certificates = Number(values.certificates);
const rounds = Number(values.rounds);
const handshakes = Number(values.handshakes);
const concurrency = Number(values.concurrency);
const crlEntries = Number(values["crl-entries"]);
const TARGET = 1_000;
const HOUR = 3_600_000;

const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
const fmt = (perSecond: number) => perSecond.toFixed(0).padStart(7);
const serial = () => `7${randomBytes(16).toString("hex").slice(1)}`;

/** Runs op(i) for i in [0, count) with `concurrency` in flight; returns operations per second. */
async function inFlight(count: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return count / seconds(started);
}

const template = (overrides: Partial<CertificateTemplate>): CertificateTemplate => ({
  serialNumber: serial(),
  subject: { commonName: "bench.example.com" },
  isCA: false,
  dnsNames: ["bench.example.com"],
  ipAddresses: ["127.0.0.1"],
  usages: ["digital signature", "key encipherment", "server auth", "client auth"],
  notBefore: new Date(Date.now() - HOUR),
  notAfter: new Date(Date.now() + 24 * HOUR),
  ...overrides,
});
const issue = (t: CertificateTemplate, issuer?: SigningAuthority): SigningAuthority => {
  const privateKeyPem = generatePrivateKey({ algorithm: "ECDSA" });
  return { certificatePem: signCertificate(t, privateKeyPem, issuer), privateKeyPem };
};
const ca = issue(template({ subject: { commonName: "bench CA", organizations: ["Clawbernetes"] }, isCA: true, dnsNames: [], ipAddresses: [], usages: [] }));

// (a) ---------------------------------------------------------------------------------------------------------

function issueSync(): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < certificates; i++) issue(template({}), ca);
  return certificates / seconds(started);
}

const EC: EcKeyGenParams & EcdsaParams = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

async function issueWebCrypto(): Promise<number> {
  const caCert = new x509.X509Certificate(ca.certificatePem);
  const caKey = await subtle.importKey("pkcs8", x509.PemConverter.decodeFirst(ca.privateKeyPem), EC, false, ["sign"]);
  return inFlight(certificates, async () => {
    const keys = (await subtle.generateKey(EC, true, ["sign", "verify"])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: "CN=bench.example.com",
      issuer: caCert.subject,
      notBefore: new Date(Date.now() - HOUR),
      notAfter: new Date(Date.now() + 24 * HOUR),
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: "dns", value: "bench.example.com" }, { type: "ip", value: "127.0.0.1" }]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ],
    });
    const pkcs8 = Buffer.from(await subtle.exportKey("pkcs8", keys.privateKey));
    return [cert.toString("pem"), x509.PemConverter.encode(pkcs8, "PRIVATE KEY")];
  });
}

// (b) ---------------------------------------------------------------------------------------------------------

const revoked = (n: number): CrlEntry[] => Array.from({ length: n }, () => ({ serialNumber: serial(), revokedAt: new Date(Date.now() - HOUR), reason: "keyCompromise" }));
const crl = (entries: CrlEntry[]) => signCrl({ issuer: ca, number: 1, thisUpdate: new Date(Date.now() - HOUR), nextUpdate: new Date(Date.now() + HOUR), entries });

async function handshakesPerSecond(options: tls.TlsOptions, client?: SigningAuthority): Promise<number> {
  const server = issue(template({ subject: { commonName: "server" }, dnsNames: [], usages: ["digital signature", "server auth"] }), ca);
  const listener = tls.createServer({ key: server.privateKeyPem, cert: server.certificatePem, minVersion: "TLSv1.3", ...options }, (socket) => socket.end("ok"));
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const port = (listener.address() as AddressInfo).port;
  let refused = 0;
  // One byte from the server ends each handshake: in TLS 1.3 it checks the client's certificate after the client is done.
  const handshake = () =>
    new Promise<void>((resolve) => {
      const socket = tls.connect({ host: "127.0.0.1", port, ca: [ca.certificatePem], ...(client ? { key: client.privateKeyPem, cert: client.certificatePem } : {}) });
      let greeted = false;
      socket.once("data", () => {
        greeted = true;
        socket.destroy();
      });
      socket.once("close", () => {
        if (!greeted) refused++;
        resolve();
      });
      socket.on("error", () => undefined); // a refusal shows as a close without the greeting
    });
  try {
    await inFlight(Math.min(200, handshakes), handshake); // warm-up
    refused = 0;
    const rate = await inFlight(handshakes, handshake);
    if (refused) throw new Error(`${refused} handshakes were refused`);
    return rate;
  } finally {
    listener.close();
  }
}

// -------------------------------------------------------------------------------------------------------------

console.log(`hack/bench/pki: ${certificates} certificates x ${rounds} rounds, ${handshakes} handshakes, ${concurrency} in flight, node ${process.version}`);

const sync: number[] = [];
const webCrypto: number[] = [];
issueSync(); // warm-up: JIT and OpenSSL's first calls
await issueWebCrypto();
for (let round = 0; round < rounds; round++) {
  sync.push(issueSync());
  webCrypto.push(await issueWebCrypto());
}
const best = (xs: number[]) => Math.max(...xs);
const [ours, theirs] = [best(sync), best(webCrypto)];
console.log(`(a) certificates/s, fresh P-256 key each, P-256 CA (best of ${rounds} rounds):`);
const line = (label: string, figure: number, rest: string) => console.log(`    ${label.padEnd(54)}${fmt(figure)}   ${rest}`);
line("signCertificate (sync node:crypto):", ours, `rounds: ${sync.map((r) => r.toFixed(0)).join(", ")}`);
line(`@peculiar/x509 on WebCrypto (${concurrency} in flight):`, theirs, `rounds: ${webCrypto.map((r) => r.toFixed(0)).join(", ")}`);
console.log(`    ratio sync/WebCrypto: ${(ours / theirs).toFixed(2)}   target >= ${TARGET}/s: ${ours >= TARGET ? "met" : "NOT met"}`);

const client = issue(template({ subject: { commonName: "client" }, dnsNames: [], ipAddresses: [], usages: ["digital signature", "client auth"] }), ca);
const bigCrl = crl(revoked(crlEntries));
const plain = await handshakesPerSecond({});
const mutual = await handshakesPerSecond({ ca: [ca.certificatePem], requestCert: true, rejectUnauthorized: true }, client);
const withCrl = await handshakesPerSecond({ ca: [ca.certificatePem], requestCert: true, rejectUnauthorized: true, crl: [bigCrl.pem] }, client);
console.log(`(b) TLS 1.3 handshakes/s, P-256, ${concurrency} connections at a time:`);
line("server certificate only:", plain, "ratio 1.00");
line("+ client certificate:", mutual, `ratio ${(mutual / plain).toFixed(2)}`);
line(`+ client certificate, ${crlEntries}-entry CRL (${(bigCrl.der.length / 1024).toFixed(0)} KiB):`, withCrl, `ratio ${(withCrl / plain).toFixed(2)}`);

const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const entries = revoked(crlEntries);
  const started = process.hrtime.bigint();
  crl(entries);
  times.push(seconds(started) * 1000);
}
times.sort((a, b) => a - b);
console.log(`(c) signing a ${crlEntries}-entry CRL: median ${times[2]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times[4]!.toFixed(0)}) over 5`);
