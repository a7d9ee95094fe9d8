// The node's WireGuard private key: a file in `wg genkey`'s format (base64 of 32 bytes and a newline), made on
// first run, mode 0600. The key is read only to derive the public key; `wg` reads the file itself, so the
// private key never travels through an argument, a pipe or a log.

import { x25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { link, mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";

/** 32 bytes in base64: 43 characters, the last of which carries 2 bits, and one '='. */
const KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** Whether the text is a WireGuard key (public or private) in base64. */
export const isWireGuardKey = (text: string): boolean => KEY.test(text);

export class WireGuardKeyError extends Error {
  override name = "WireGuardKeyError";
}

/** The private key as WireGuard keeps it: clamped for X25519 (RFC 7748), as `wg genkey` writes it. */
export function clampPrivateKey(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 32) throw new Error(`an X25519 private key has 32 bytes, not ${bytes.length}`);
  const key = bytes.slice();
  key[0] = key[0]! & 248;
  key[31] = (key[31]! & 127) | 64;
  return key;
}

/** The base64 public key of a base64 private key, as `wg pubkey` gives it. */
export function wireGuardPublicKey(privateKeyBase64: string): string {
  if (!isWireGuardKey(privateKeyBase64)) throw new WireGuardKeyError("not a WireGuard key: 44 characters of base64 (32 bytes) expected");
  return Buffer.from(x25519.getPublicKey(clampPrivateKey(Buffer.from(privateKeyBase64, "base64")))).toString("base64");
}

/**
 * The public key of the private key at `path`, made first if the file does not exist (written to a file created
 * exclusively with mode 0600, then linked into place, its folder made 0700 if missing). An existing file readable or writable by group or others is refused,
 * as is one that does not hold a key; the message never shows what the file holds.
 */
export async function ensureWireGuardKey(path: string): Promise<{ publicKey: string; generated: boolean }> {
  const existing = await readKeyFile(path);
  if (existing !== undefined) return { publicKey: existing, generated: false };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const privateKey = Buffer.from(clampPrivateKey(x25519.utils.randomSecretKey())).toString("base64");
  // Written whole under a fresh name, then linked into place: no reader ever sees a half-written key.
  const draft = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.new`;
  try {
    const file = await open(draft, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await file.writeFile(`${privateKey}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await link(draft, path);
  } catch (err) {
    // Another agent put its key there between our look and our link: its key is the key.
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return { publicKey: (await readKeyFile(path))!, generated: false };
    throw new WireGuardKeyError(`cannot create the WireGuard private key ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    await rm(draft, { force: true });
  }
  return { publicKey: wireGuardPublicKey(privateKey), generated: true };
}

/** The public key of the key file, or undefined when there is no file. */
async function readKeyFile(path: string): Promise<string | undefined> {
  let mode: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new WireGuardKeyError(`the WireGuard private key ${path} is not a regular file`);
    mode = info.mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  if ((mode & 0o077) !== 0)
    throw new WireGuardKeyError(`the WireGuard private key ${path} is open to group or others (mode 0${mode.toString(8)}): run chmod 600 ${path}`);
  const text = (await readFile(path, "utf8")).trim();
  if (!isWireGuardKey(text))
    throw new WireGuardKeyError(`${path} does not hold a WireGuard private key (one line of base64, as 'wg genkey' writes); move it away to have a new key made, or write one with: wg genkey > ${path}`);
  return wireGuardPublicKey(text);
}
