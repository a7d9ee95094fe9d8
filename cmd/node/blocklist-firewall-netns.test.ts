// The blocklist in a real kernel: a server namespace and a client namespace joined by a veth, a TCP listener
// in the server's; the client's address blocked, then unblocked, then the blocklist removed — both backends.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlocklistFirewall, IPTABLES_CHAIN } from "./blocklist-firewall.js";
import type { FirewallBackend } from "./node-config.js";
import { NetnsLab, netnsSkipReason, type NetnsTools } from "./testing/netns.js";
import { startTcpListeners, tcpProbe } from "./testing/tcp-probe.js";

const PORT = 8080;

/** Each backend, with what applying the same list twice must leave behind. */
const BACKENDS: { backend: FirewallBackend; tools: NetnsTools; repeated: { name: string; check: (lab: NetnsLab, ns: string) => Promise<void> } }[] = [
  {
    backend: "nftables",
    tools: { nft: true },
    repeated: {
      name: "keeps one drop rule per family however often it is applied",
      check: async (lab, ns) => {
        const table = (await lab.exec(ns, "nft", ["list", "table", "inet", "claw_blocklist"])).stdout;
        expect(table.match(/ip saddr @blocked_v4 drop/g)).toHaveLength(1);
        expect(table.match(/ip6 saddr @blocked_v6 drop/g)).toHaveLength(1);
        expect(table).toContain("elements = { 203.0.113.9 }");
      },
    },
  },
  {
    backend: "iptables",
    tools: { iptables: true },
    repeated: {
      name: "keeps one jump, first in INPUT before the host's own rules, however often it is applied",
      check: async (lab, ns) => {
        const rules = (await lab.exec(ns, "iptables", ["-w", "-S", "INPUT"])).stdout.split("\n").filter((l) => l.startsWith("-A"));
        expect(rules).toEqual([`-A INPUT -j ${IPTABLES_CHAIN}`, "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"]);
      },
    },
  },
];

describe.each(BACKENDS)("the $backend blocklist between two namespaces", ({ backend, tools, repeated }) => {
  const skip = netnsSkipReason(tools);
  describe.skipIf(skip !== undefined)(skip ?? "in network namespaces", () => {
    let lab: NetnsLab;
    let server: string;
    let client: string;
    let firewall: BlocklistFirewall;
    const probe = () => tcpProbe(lab, client, "198.51.100.1", PORT);
    const probe6 = () => tcpProbe(lab, client, "2001:db8::1", PORT);

    beforeAll(async () => {
      lab = await NetnsLab.create();
      server = await lab.namespace("server");
      client = await lab.namespace("client");
      const [serverEnd, clientEnd] = await lab.link({ ns: server, address: "198.51.100.1/24" }, { ns: client, address: "198.51.100.2/24" });
      await lab.address(server, serverEnd, "2001:db8::1/64");
      await lab.address(client, clientEnd, "2001:db8::2/64");
      await startTcpListeners(lab, server, [PORT]);
      // A rule of the host's own, which the blocklist must go before.
      if (backend === "iptables") await lab.exec(server, "iptables", ["-w", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"]);
      firewall = new BlocklistFirewall({ backend, runner: lab.runner(server) });
    });
    afterAll(() => lab?.cleanup());

    it("lets the client in before any block", async () => {
      expect(await probe()).toBe("answered");
      expect(await probe6()).toBe("answered");
    });

    it("drops the client once its address is blocked, over IPv4 and IPv6", async () => {
      expect(await firewall.apply(["198.51.100.2", "203.0.113.0/24", "2001:db8::2/128", "not-an-address"])).toEqual({ v4: 2, v6: 1, refused: ["not-an-address"] });
      expect(await probe()).toBe("timeout");
      expect(await probe6()).toBe("timeout");
    });

    it("drops the client inside a wider block given with it", async () => {
      expect(await firewall.apply(["198.51.100.2", "198.51.100.0/24"])).toEqual({ v4: 1, v6: 0, refused: [] });
      expect(await probe()).toBe("timeout");
      expect(await probe6()).toBe("answered");
    });

    it("lets the client in again when the list is empty", async () => {
      expect(await firewall.apply([])).toEqual({ v4: 0, v6: 0, refused: [] });
      expect(await probe()).toBe("answered");
    });

    it(repeated.name, async () => {
      await firewall.apply(["203.0.113.9"]);
      await firewall.apply(["203.0.113.9"]);
      await repeated.check(lab, server);
    });

    it("takes everything out on remove(), and again when there is nothing left", async () => {
      await firewall.apply(["198.51.100.2"]);
      await firewall.remove();
      await firewall.remove();
      expect(await probe()).toBe("answered");
      const listing = backend === "nftables" ? await lab.exec(server, "nft", ["list", "ruleset"]) : await lab.exec(server, "iptables", ["-w", "-S"]);
      expect(listing.stdout).not.toMatch(/claw_blocklist|CLAW-BLOCKLIST/);
    });
  });
});
