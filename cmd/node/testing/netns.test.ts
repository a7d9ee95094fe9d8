// The namespace harness leaves nothing behind: its cleanup, and the sweep of what a killed run left.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { ProcessCommandRunner } from "../command-runner.js";
import { NetnsLab, netnsSkipReason } from "./netns.js";
import { waitUntil } from "./wait-until.js";

const skip = netnsSkipReason({ wireguard: true });
const host = new ProcessCommandRunner({ env: { PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin` } });
const namespaces = async () => (await host.run("ip", ["netns", "list"])).stdout.split("\n").map((line) => line.split(" ")[0] ?? "");

/** A pid that no process has now: one of a process that has ended. */
const deadPid = () =>
  new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ["-e", ""]);
    child.on("exit", () => resolve(child.pid!));
  });

describe.skipIf(skip !== undefined)(`NetnsLab${skip ? ` (${skip})` : ""}`, () => {
  const leftovers: string[] = [];
  afterAll(async () => {
    for (const ns of leftovers) if ((await namespaces()).includes(ns)) await host.run("ip", ["netns", "del", ns]);
  });

  it("removes its namespaces, their links and processes, and wireguard-go's socket at cleanup", async () => {
    const lab = await NetnsLab.create();
    const a = await lab.namespace("a");
    const b = await lab.namespace("b");
    await lab.link({ ns: a, address: "192.0.2.1/24" }, { ns: b, address: "192.0.2.2/24" });
    const wg = lab.wireguardName("x");
    expect((await lab.exec(a, "wireguard-go", [wg], { env: { LOG_LEVEL: "" } })).code).toBe(0);
    lab.spawn(b, process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    expect(existsSync(`/var/run/wireguard/${wg}.sock`)).toBe(true);
    await lab.cleanup();
    expect(await namespaces()).not.toContain(a);
    expect(await namespaces()).not.toContain(b);
    expect(existsSync(`/var/run/wireguard/${wg}.sock`)).toBe(false);
  });

  it("deletes one namespace on request, with the links into it", async () => {
    const lab = await NetnsLab.create();
    try {
      const a = await lab.namespace("a");
      const b = await lab.namespace("b");
      const [aEnd] = await lab.link({ ns: a, address: "192.0.2.1/24" }, { ns: b, address: "2001:db8::2/64" });
      await lab.deleteNamespace(b);
      expect(await namespaces()).not.toContain(b);
      // The kernel tears a namespace's links down in the background: the peer end goes a moment later.
      await waitUntil(async () => (await lab.exec(a, "ip", ["link", "show", "dev", aEnd])).code !== 0, { timeoutMs: 5_000, what: `${aEnd} to go with its peer's namespace` });
    } finally {
      await lab.cleanup();
    }
  });

  it("sweeps the namespaces of a run whose process is gone, killing what runs in them", async () => {
    const ns = `claw-${await deadPid()}-0-left`;
    leftovers.push(ns);
    expect((await host.run("ip", ["netns", "add", ns])).code).toBe(0);
    const inside = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", "setInterval(() => {}, 1000)"], { stdio: "ignore", env: { PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin` } });
    const ended = new Promise((resolve) => inside.on("exit", resolve));
    await waitUntil(async () => (await host.run("ip", ["netns", "pids", ns])).stdout.trim() !== "", { timeoutMs: 5_000, what: "the process to enter the namespace" });
    const lab = await NetnsLab.create();
    expect(await namespaces()).not.toContain(ns);
    await ended;
    await lab.cleanup();
  });

  it("leaves the namespaces of a live run alone", async () => {
    const ns = `claw-${process.pid}-999-mine`;
    leftovers.push(ns);
    expect((await host.run("ip", ["netns", "add", ns])).code).toBe(0);
    const lab = await NetnsLab.create();
    expect(await namespaces()).toContain(ns);
    await lab.cleanup();
  });
});
