import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessCommandRunner, which } from "./command-runner.js";
import { clampPrivateKey, ensureWireGuardKey, isWireGuardKey, wireGuardPublicKey, WireGuardKeyError } from "./wireguard-key.js";

let dir: string;
let n = 0;
const keyPath = () => join(dir, `case-${n++}`, "wg-private.key");
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), "claw-wgkey-"))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const refusal = async (path: string): Promise<string> => {
  const err: unknown = await ensureWireGuardKey(path).catch((e: unknown) => e);
  if (err instanceof WireGuardKeyError) return err.message;
  throw new Error(`expected a WireGuardKeyError, got ${String(err)}`);
};

// RFC 7748 section 6.1: Alice's private and public keys.
const RFC_PRIVATE = Buffer.from("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", "hex").toString("base64");
const RFC_PUBLIC = Buffer.from("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", "hex").toString("base64");

describe("ensureWireGuardKey", () => {
  it("makes a key on first run: wg genkey's format, mode 0600, its new folder 0700", async () => {
    const path = keyPath();
    const made = await ensureWireGuardKey(path);
    expect(made.generated).toBe(true);
    const text = await readFile(path, "utf8");
    expect(text).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(path, ".."))).mode & 0o777).toBe(0o700);
    expect(made.publicKey).toBe(wireGuardPublicKey(text.trim()));
    expect(isWireGuardKey(made.publicKey)).toBe(true);
  });

  it("stores the key clamped, as WireGuard does", async () => {
    const path = keyPath();
    await ensureWireGuardKey(path);
    const bytes = Buffer.from((await readFile(path, "utf8")).trim(), "base64");
    expect(bytes[0]! & 7).toBe(0);
    expect(bytes[31]! & 0xc0).toBe(0x40);
  });

  it("reads the same key on the next run", async () => {
    const path = keyPath();
    const first = await ensureWireGuardKey(path);
    expect(await ensureWireGuardKey(path)).toEqual({ publicKey: first.publicKey, generated: false });
  });

  it.each([1, 2, 3, 4, 5])("makes one key when two agents start at once (%i)", async () => {
    const path = keyPath();
    const [a, b] = await Promise.all([ensureWireGuardKey(path), ensureWireGuardKey(path)]);
    expect(a.publicKey).toBe(b.publicKey);
    expect([a.generated, b.generated].filter(Boolean)).toEqual([true]);
    expect((await readdir(join(path, ".."))).sort()).toEqual(["wg-private.key"]);
  });

  it("reads a key written by wg genkey with its newline", async () => {
    const path = keyPath();
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, `${RFC_PRIVATE}\n`, { mode: 0o600 });
    expect(await ensureWireGuardKey(path)).toEqual({ publicKey: RFC_PUBLIC, generated: false });
  });

  it.each([
    { name: "readable by others", mode: 0o644 },
    { name: "readable by the group", mode: 0o640 },
    { name: "writable by the group", mode: 0o620 },
  ])("refuses a key file $name and gives the chmod that fixes it", async ({ mode }) => {
    const path = keyPath();
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, `${RFC_PRIVATE}\n`);
    await chmod(path, mode);
    expect(await refusal(path)).toBe(`the WireGuard private key ${path} is open to group or others (mode 0${mode.toString(8)}): run chmod 600 ${path}`);
  });

  it("refuses a file that holds no key, without showing what it holds", async () => {
    const path = keyPath();
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, "hunter2-not-a-key\n", { mode: 0o600 });
    const message = await refusal(path);
    expect(message).toContain(`${path} does not hold a WireGuard private key`);
    expect(message).not.toContain("hunter2");
  });

  it("refuses a folder where the key file should be", async () => {
    const path = keyPath();
    await mkdir(path, { recursive: true });
    expect(await refusal(path)).toBe(`the WireGuard private key ${path} is not a regular file`);
  });
});

describe("the public key", () => {
  it("is RFC 7748's for its test vector", () => expect(wireGuardPublicKey(RFC_PRIVATE)).toBe(RFC_PUBLIC));

  it("clamps as WireGuard does: low three bits cleared, top bit cleared, next bit set", () => {
    expect([...clampPrivateKey(new Uint8Array(32).fill(0xff))].filter((_, i) => i === 0 || i === 31)).toEqual([0xf8, 0x7f]);
    expect([...clampPrivateKey(new Uint8Array(32))].filter((_, i) => i === 0 || i === 31)).toEqual([0x00, 0x40]);
  });

  const wg = which("wg");
  const skip = wg === undefined && !process.env.CI ? " (skipped: wg is not installed; apt-get install wireguard-tools)" : "";
  it.skipIf(skip !== "")(`equals wg pubkey's for the same private key${skip}`, async () => {
    const runner = new ProcessCommandRunner({ env: { PATH: process.env.PATH ?? "" } });
    for (let i = 0; i < 3; i++) {
      const path = keyPath();
      const { publicKey } = await ensureWireGuardKey(path);
      const answer = await runner.run("wg", ["pubkey"], { input: await readFile(path, "utf8") });
      expect(answer.code).toBe(0);
      expect(answer.stdout.trim()).toBe(publicKey);
    }
  });
});
