// A baseline for the API benchmarks: an HTTPS server in its own process that does the least a create
// can do (read the body, parse it, stamp a uid, answer 201 with the object as JSON) and nothing else: no
// authentication, validation, store or audit. Measured beside the real server in the same run with the
// same client, it is the ceiling this machine puts on any HTTPS create path, load generator included.

import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:https";
import { fileURLToPath } from "node:url";
import { x509, subtle } from "../../api/pki/x509.js";

export interface EchoServer {
  url: string;
  /** PEM of the self-signed certificate the server presents (a client's CA). */
  ca: string;
  stop(): Promise<void>;
}

async function selfSigned(): Promise<{ cert: string; key: string }> {
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await subtle.generateKey(alg, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=127.0.0.1",
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }])],
  });
  const pkcs8 = Buffer.from(await subtle.exportKey("pkcs8", keys.privateKey));
  return { cert: cert.toString("pem"), key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END PRIVATE KEY-----\n` };
}

/** Starts the echo server in a child process (its own core, as the claw server has). */
export async function startEchoServer(): Promise<EchoServer> {
  const tls = await selfSigned();
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  child.send(tls);
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve(m as number));
    child.once("exit", (code) => reject(new Error(`the echo server exited (${code}) before listening`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url: `https://127.0.0.1:${port}`,
    ca: tls.cert,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

function serve(tls: { cert: string; key: string }): void {
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const object = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { metadata: Record<string, unknown> };
      object.metadata.uid = randomUUID();
      const body = JSON.stringify(object);
      res.writeHead(201, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.listen(0, "127.0.0.1", () => process.send!((server.address() as { port: number }).port));
  process.once("SIGTERM", () => process.exit(0));
}

if (process.argv.includes("--serve")) process.once("message", (tls) => serve(tls as { cert: string; key: string }));
