// A TCP listener and a one-shot client, each a small `node -e` program run inside a namespace, for tests of
// what a firewall lets through: the listener answers "ok" on every port it is given; the client says
// whether it was answered, refused or left waiting until its time ran out (a DROP sends nothing back).

import type { NetnsLab } from "./netns.js";

const LISTENER = `
const net = require("node:net");
const ports = process.argv.slice(1).map(Number);
let listening = 0;
for (const port of ports)
  net.createServer((socket) => socket.end("ok\\n")).listen(port, "::", () => ++listening === ports.length && console.log("listening"));
`;

const CLIENT = `
const net = require("node:net");
const [host, port, ms] = process.argv.slice(1);
const say = (text) => { console.log(text); process.exit(0); };
setTimeout(() => say("timeout"), Number(ms));
const socket = net.connect({ host, port: Number(port) });
socket.on("data", (data) => say(data.toString().trim() === "ok" ? "answered" : "garbled"));
socket.on("error", (err) => say(err.code === "ECONNREFUSED" ? "refused" : "error " + err.code));
`;

/** Listens on every port (IPv4 and IPv6) in the namespace until the lab's cleanup; resolves once all are open. */
export async function startTcpListeners(lab: NetnsLab, ns: string, ports: readonly number[]): Promise<void> {
  const listener = lab.spawn(ns, process.execPath, ["-e", LISTENER, ...ports.map(String)]);
  await listener.line((line) => line === "listening");
}

export type ProbeResult = "answered" | "timeout" | "refused" | string;

/** Connects once from the namespace; a dropped connection shows as "timeout" after `timeoutMs`. */
export async function tcpProbe(lab: NetnsLab, ns: string, host: string, port: number, timeoutMs = 1_500): Promise<ProbeResult> {
  const answer = await lab.exec(ns, process.execPath, ["-e", CLIENT, host, String(port), String(timeoutMs)]);
  return answer.stdout.trim() || `failed: ${answer.stderr.trim()}`;
}
