// The guide's Firewall Rules as `claw security firewall` renders them, loaded into a real kernel: a "gateway"
// namespace and two clients on one switch, TCP listeners on the API port and on another port. The API port
// answers a client that is not blocked and nothing else does; the blocked client gets no answer at all.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NetnsLab, netnsSkipReason, type NetnsTools } from "../../node/testing/netns.js";
import { startTcpListeners, tcpProbe } from "../../node/testing/tcp-probe.js";
import { renderFirewall, type FirewallFormat, type FirewallInput } from "../firewall-rules.js";

const API_PORT = 8080;
const OTHER_PORT = 9090;
const GATEWAY = "203.0.113.1";
const CLIENT_A = "203.0.113.2";
const CLIENT_B = "203.0.113.3";
const INPUT: FirewallInput = { apiPort: API_PORT, blocked: [{ cidr: CLIENT_B, comment: "block-203-0-113-3: scanner" }] };

/** How an operator loads each format: the nft file with nft -f, the iptables script with sh. */
const FORMATS: { format: FirewallFormat; tools: NetnsTools; load: [string, string[]] }[] = [
  { format: "nftables", tools: { nft: true }, load: ["nft", ["-f", "-"]] },
  { format: "iptables", tools: { iptables: true }, load: ["sh", ["-s"]] },
];

describe.each(FORMATS)("the $format rules of claw security firewall in a gateway namespace", ({ format, tools, load }) => {
  const skip = netnsSkipReason(tools);
  describe.skipIf(skip !== undefined)(skip ?? "in network namespaces", () => {
    let lab: NetnsLab;
    let gateway: string;
    let a: string;
    let b: string;

    beforeAll(async () => {
      lab = await NetnsLab.create();
      const lan = await lab.switch("switch");
      gateway = await lab.namespace("gateway");
      a = await lab.namespace("client-a");
      b = await lab.namespace("client-b");
      await lan.attach(gateway, `${GATEWAY}/24`);
      await lan.attach(a, `${CLIENT_A}/24`);
      await lan.attach(b, `${CLIENT_B}/24`);
      await startTcpListeners(lab, gateway, [API_PORT, OTHER_PORT]);
    });
    afterAll(() => lab?.cleanup());

    it("reaches both ports from both clients before the rules are loaded", async () => {
      for (const client of [a, b]) for (const port of [API_PORT, OTHER_PORT]) expect(await tcpProbe(lab, client, GATEWAY, port)).toBe("answered");
    });

    it("loads the rules as the README says to", async () => {
      const [file, args] = load;
      const loaded = await lab.exec(gateway, file, args, { input: renderFirewall(INPUT, format) });
      expect(loaded.stderr).toBe("");
      expect(loaded.code).toBe(0);
    });

    it("answers a client that is not blocked on the API port", async () => {
      expect(await tcpProbe(lab, a, GATEWAY, API_PORT)).toBe("answered");
    });

    it("gives that client no answer on any other port", async () => {
      expect(await tcpProbe(lab, a, GATEWAY, OTHER_PORT)).toBe("timeout");
    });

    it("gives the blocked client no answer even on the API port", async () => {
      expect(await tcpProbe(lab, b, GATEWAY, API_PORT)).toBe("timeout");
    });
  });
});
