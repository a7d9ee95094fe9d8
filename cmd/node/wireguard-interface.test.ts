import { describe, expect, it } from "vitest";
import { FakeClock } from "../../api/machinery/clock.js";
import type { MeshPeer } from "../../api/types/nodes-api.js";
import { RecordingRunner } from "./testing/recording-runner.js";
import { WireGuardError, WireGuardInterface, type WireGuardUp } from "./wireguard-interface.js";

const SELF = "P6YpHyqXo+OxOvUVHTlEH9sFQt8hdsbevTiK4H+mszk=";
const KEY_B = "IUXcesfICuPxiwWLg0JpA7FYfQpRRbGLjb2pTmAvPjY=";
const KEY_C = "2WPbe8czGCIUd+imDUfdXYUblYWyfRfk80YosDfStHw=";
const PRIVATE = "QEtmLBJ7i7+xRl1+4wwaW+BwW5VNyFgrXg9iRdpIMWw=";
const UP: WireGuardUp = { name: "clawmesh0", privateKeyPath: "/var/lib/clawnode/wg-private.key", listenPort: 51820, address: "10.100.0.5/16" };
const NOT_THERE = { code: 1, stderr: 'Device "clawmesh0" does not exist.\n' };
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));

const dump = (...peers: string[]) => [`${PRIVATE}\t${SELF}\t51820\toff`, ...peers].join("\n") + "\n";
const peerLine = (key: string, handshakeSecondsAgo = 0) =>
  [key, "(none)", "198.51.100.2:51820", "10.100.0.2/32", handshakeSecondsAgo ? String(clock.now() / 1000 - handshakeSecondsAgo) : "0", "10", "20", "25"].join("\t");

const mesh = (runner: RecordingRunner) => new WireGuardInterface({ runner, clock });
const failure = async (promise: Promise<unknown>): Promise<string> => {
  const err: unknown = await promise.catch((e: unknown) => e);
  if (err instanceof WireGuardError) return err.message;
  throw new Error(`expected a WireGuardError, got ${String(err)}`);
};
const SET_UP = ["wg set clawmesh0 private-key /var/lib/clawnode/wg-private.key listen-port 51820", "ip address replace 10.100.0.5/16 dev clawmesh0", "ip link set clawmesh0 up"];

describe("WireGuardInterface.up", () => {
  it("creates the kernel's interface, sets key, port and address, and brings it up", async () => {
    const runner = new RecordingRunner().answer("ip -details link show", NOT_THERE);
    expect(await mesh(runner).up(UP)).toEqual({ implementation: "kernel", created: true });
    expect(runner.lines()).toEqual(["ip -details link show dev clawmesh0", "ip link add clawmesh0 type wireguard", ...SET_UP]);
  });

  it.each(["Error: Unknown device type.\n", "RTNETLINK answers: Operation not supported\n"])("starts wireguard-go when the kernel says %j", async (stderr) => {
    const runner = new RecordingRunner().answer("ip -details link show", NOT_THERE).answer("ip link add", { code: 2, stderr });
    expect(await mesh(runner).up(UP)).toEqual({ implementation: "wireguard-go", created: true });
    expect(runner.lines()).toEqual(["ip -details link show dev clawmesh0", "ip link add clawmesh0 type wireguard", "wireguard-go clawmesh0", ...SET_UP]);
    expect(runner.calls[2]!.env).toEqual({ LOG_LEVEL: "" });
  });

  it.each([
    { name: "the kernel's", details: "5: clawmesh0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1420\n    link/none  promiscuity 0\n    wireguard addrgenmode none\n", implementation: "kernel" },
    { name: "wireguard-go's", details: "5: clawmesh0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1420\n    link/none  promiscuity 0\n    tun type tun pi off vnet_hdr off\n", implementation: "wireguard-go" },
  ])("sets up $name interface again in place when it exists", async ({ details, implementation }) => {
    const runner = new RecordingRunner().answer("ip -details link show", { stdout: details });
    expect(await mesh(runner).up(UP)).toEqual({ implementation, created: false });
    expect(runner.lines()).toEqual(["ip -details link show dev clawmesh0", SET_UP[0], SET_UP[1], "ip -o address show dev clawmesh0", SET_UP[2]]);
  });

  it("removes an address the gateway gave before when it gives a new one", async () => {
    const listed = "5: clawmesh0    inet 10.100.0.9/16 scope global clawmesh0\\       valid_lft forever\n5: clawmesh0    inet 10.100.0.5/16 scope global clawmesh0\n";
    const runner = new RecordingRunner().answer("ip -details link show", { stdout: "5: clawmesh0: <UP>\n    wireguard\n" }).answer("ip -o address show", { stdout: listed });
    await mesh(runner).up(UP);
    expect(runner.lines()).toContain("ip address del 10.100.0.9/16 dev clawmesh0");
    expect(runner.lines().filter((l) => l.startsWith("ip address del"))).toHaveLength(1);
  });

  it("passes the private key only as its file's path", async () => {
    const runner = new RecordingRunner().answer("ip -details link show", NOT_THERE);
    await mesh(runner).up(UP);
    expect(runner.calls.filter((c) => c.input !== undefined)).toEqual([]);
    expect(runner.lines().filter((line) => line.includes("private-key"))).toEqual([`wg set clawmesh0 private-key ${UP.privateKeyPath} listen-port 51820`]);
  });

  it.each([
    {
      name: "wireguard-go is missing where the kernel has no WireGuard",
      runner: () => new RecordingRunner().answer("ip -details link show", NOT_THERE).answer("ip link add", { code: 2, stderr: "Error: Unknown device type.\n" }).missing("wireguard-go"),
      message: "cannot create the WireGuard interface clawmesh0: the kernel has no WireGuard (ip link add: Error: Unknown device type.) and wireguard-go is not installed; install it (Debian: apt-get install wireguard-go) or load the kernel's module (modprobe wireguard)",
    },
    {
      name: "ip link add fails for another reason",
      runner: () => new RecordingRunner().answer("ip -details link show", NOT_THERE).answer("ip link add", { code: 2, stderr: "RTNETLINK answers: Operation not permitted\n" }),
      message: "cannot create the WireGuard interface clawmesh0: ip link add: RTNETLINK answers: Operation not permitted",
    },
    {
      name: "wireguard-go fails",
      runner: () => new RecordingRunner().answer("ip -details link show", NOT_THERE).answer("ip link add", { code: 2, stderr: "Error: Unknown device type.\n" }).answer("wireguard-go", { code: 1, stderr: "ERROR: Failed to create TUN device: no such file\n" }),
      message: "cannot create the WireGuard interface clawmesh0: wireguard-go: ERROR: Failed to create TUN device: no such file",
    },
    {
      name: "wg is missing",
      runner: () => new RecordingRunner().answer("ip -details link show", NOT_THERE).missing("wg"),
      message: "wg is not installed: install wireguard-tools (Debian: apt-get install wireguard-tools)",
    },
    {
      name: "the key file cannot be read by wg",
      runner: () => new RecordingRunner().answer("ip -details link show", NOT_THERE).answer("wg set", { code: 1, stderr: "fopen: No such file or directory\n" }),
      message: "cannot set the private key and listen port on clawmesh0: wg set: fopen: No such file or directory",
    },
  ])("fails clearly when $name", async ({ runner, message }) => {
    expect(await failure(mesh(runner()).up(UP))).toBe(message);
  });
});

describe("WireGuardInterface.setPeers", () => {
  const peerB: MeshPeer = { name: "b", publicKey: KEY_B, endpoint: "198.51.100.2:51820", allowedIPs: ["10.100.0.2/32"] };
  const peerC: MeshPeer = { name: "c", publicKey: KEY_C, allowedIPs: ["10.100.0.3/32"] };
  const upRunner = () => new RecordingRunner().answer("ip -details link show", NOT_THERE);

  it("reads the dump, removes the peers not wanted and adds the new ones", async () => {
    const runner = upRunner().answer("wg show clawmesh0 dump", { stdout: dump(peerLine("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=")) });
    const wg = mesh(runner);
    await wg.up(UP);
    const changes = await wg.setPeers([peerB, peerC], { persistentKeepalive: 25, allowedIps: ["10.100.0.0/16"] });
    expect(runner.lines().slice(5)).toEqual([
      "wg show clawmesh0 dump",
      "wg set clawmesh0 peer hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo= remove",
      `wg set clawmesh0 peer ${KEY_B} endpoint 198.51.100.2:51820 allowed-ips 10.100.0.2/32 persistent-keepalive 25`,
      `wg set clawmesh0 peer ${KEY_C} allowed-ips 10.100.0.3/32 persistent-keepalive 25`,
    ]);
    expect(changes).toEqual({ added: ["b", "c"], updated: [], removed: ["hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="], skipped: [], unrouted: [], failed: [] });
  });

  it("does nothing more than read when the peers are already as wanted", async () => {
    const runner = upRunner().answer("wg show clawmesh0 dump", { stdout: dump(peerLine(KEY_B)) });
    const wg = mesh(runner);
    await wg.up(UP);
    await wg.setPeers([peerB], { persistentKeepalive: 25 });
    expect(runner.lines().slice(5)).toEqual(["wg show clawmesh0 dump"]);
  });

  it("applies the other peers when one's wg set fails, and says which failed", async () => {
    const runner = upRunner().answer("wg show clawmesh0 dump", { stdout: dump() }).answer(`wg set clawmesh0 peer ${KEY_B}`, { code: 1, stderr: "Name or service not known: `nowhere.example:51820'\n" });
    const wg = mesh(runner);
    await wg.up(UP);
    const changes = await wg.setPeers([peerB, peerC], { persistentKeepalive: 0 });
    expect(changes.added).toEqual(["c"]);
    expect(changes.failed).toEqual([{ name: "b", message: "Name or service not known: `nowhere.example:51820'" }]);
  });

  it("refuses before up()", async () => {
    expect(await failure(mesh(new RecordingRunner()).setPeers([], { persistentKeepalive: 0 }))).toBe("the WireGuard interface is not up: call up() first");
  });
});

describe("WireGuardInterface.observe and down", () => {
  it("reports the peers and their handshakes from the dump at the clock's time", async () => {
    const runner = new RecordingRunner().answer("wg show clawmesh0 dump", { stdout: dump(peerLine(KEY_B, 10), peerLine(KEY_C, 500)) });
    const wg = mesh(runner);
    await wg.up(UP);
    const seen = await wg.observe();
    expect({ peers: seen.peers, peersUp: seen.peersUp, latestHandshakeMs: seen.latestHandshakeMs }).toEqual({ peers: 2, peersUp: 1, latestHandshakeMs: clock.now() - 10_000 });
    expect(seen.byKey.get(KEY_B)).toEqual({ latestHandshakeMs: clock.now() - 10_000, endpoint: "198.51.100.2:51820", rxBytes: 10, txBytes: 20 });
  });

  it("deletes the interface, and is done when it is gone already", async () => {
    const runner = new RecordingRunner().answer("ip link del", { code: 1, stderr: 'Cannot find device "clawmesh0"\n' });
    const wg = mesh(runner);
    await wg.up(UP);
    await wg.down();
    expect(runner.lines().at(-1)).toBe("ip link del dev clawmesh0");
  });

  it("fails when the interface cannot be deleted", async () => {
    const runner = new RecordingRunner().answer("ip link del", { code: 2, stderr: "RTNETLINK answers: Operation not permitted\n" });
    const wg = mesh(runner);
    await wg.up(UP);
    expect(await failure(wg.down())).toBe("cannot delete clawmesh0: ip link del: RTNETLINK answers: Operation not permitted");
  });
});
