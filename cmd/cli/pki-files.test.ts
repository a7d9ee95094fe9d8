import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureDir, PkiFileError, PRIVATE_FILE, PUBLIC_DIR, PUBLIC_FILE, writeFileAtomic } from "./pki-files.js";

let dir: string;
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "claw-pki-files-"));
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it.each([
    { name: "writes a private key 0600", mode: PRIVATE_FILE },
    { name: "writes a certificate 0644", mode: PUBLIC_FILE },
  ])("$name, leaving no temporary file", async ({ mode }) => {
    await writeFileAtomic(join(dir, "f"), "text", mode);
    expect(await readFile(join(dir, "f"), "utf8")).toBe("text");
    expect(await modeOf(join(dir, "f"))).toBe(mode);
    expect(await readdir(dir)).toEqual(["f"]);
  });

  it("replaces a file that had looser permissions, and tightens them", async () => {
    await writeFile(join(dir, "gateway.key"), "old", { mode: 0o666 });
    await chmod(join(dir, "gateway.key"), 0o666);
    await writeFileAtomic(join(dir, "gateway.key"), "new", PRIVATE_FILE);
    expect(await readFile(join(dir, "gateway.key"), "utf8")).toBe("new");
    expect(await modeOf(join(dir, "gateway.key"))).toBe(PRIVATE_FILE);
  });

  it("replaces a link at the path instead of writing through it", async () => {
    await writeFile(join(dir, "elsewhere"), "untouched");
    await symlink(join(dir, "elsewhere"), join(dir, "ca.key"));
    await writeFileAtomic(join(dir, "ca.key"), "key", PRIVATE_FILE);
    expect(await readFile(join(dir, "elsewhere"), "utf8")).toBe("untouched");
    expect(await readFile(join(dir, "ca.key"), "utf8")).toBe("key");
  });

  it("says which file it could not write and how to write elsewhere", async () => {
    // root writes anywhere a mode allows, so as root use /sys, where no file can be created (EACCES, or EROFS read-only).
    const target = process.getuid?.() === 0 ? "/sys" : dir;
    if (target === dir) await chmod(dir, 0o500);
    await expect(writeFileAtomic(join(target, "ca.crt"), "x", PUBLIC_FILE)).rejects.toThrow(new PkiFileError(`cannot write ${join(target, "ca.crt")}: permission denied; run as a user who may write there, or pass --dir DIR`));
  });
});

describe("ensureDir", () => {
  it("makes a missing folder with exactly the mode asked for", async () => {
    await ensureDir(join(dir, "pki", "crl"), PUBLIC_DIR);
    expect(await modeOf(join(dir, "pki", "crl"))).toBe(PUBLIC_DIR);
  });

  it("leaves an existing folder's mode as it is", async () => {
    await mkdir(join(dir, "pki"), { mode: 0o700 });
    await chmod(join(dir, "pki"), 0o700);
    await ensureDir(join(dir, "pki"), PUBLIC_DIR);
    expect(await modeOf(join(dir, "pki"))).toBe(0o700);
  });
});
