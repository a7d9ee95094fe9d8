// Password hashing with scrypt from @noble/hashes (memory-hard). The default parameters N=2^14, r=8, p=1
// use 16 MiB and take about 50 ms here once warm (~120 ms under load); each record keeps its parameters,
// so they can be raised later. At most `maxConcurrent` hashes run at once (each holds 16 MiB), and a queue
// longer than `maxQueued` is refused with 429, so a flood of logins cannot exhaust memory.

import { timingSafeEqual } from "node:crypto";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { tooManyRequests } from "../machinery/errors.js";

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };
const DK_LEN = 32;
const SALT_BYTES = 16;

/** What is stored for a user's password (an internal key, never in the User object). */
export interface PasswordRecord {
  algorithm: "scrypt";
  params: ScryptParams;
  /** base64 */
  salt: string;
  /** base64 */
  hash: string;
  /** The User object's uid: a user deleted and created again does not inherit the password. */
  userUid: string;
  setAt: string;
}

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_BYTES = 1024;

/** Why a new password is not acceptable, or undefined. */
export function passwordProblem(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return `must be at most ${MAX_PASSWORD_BYTES} bytes long`;
  return undefined;
}

export class PasswordHasher {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly opts: { params?: ScryptParams; randomBytes: (n: number) => Uint8Array; maxConcurrent?: number; maxQueued?: number },
  ) {}

  get params(): ScryptParams {
    return this.opts.params ?? DEFAULT_SCRYPT;
  }

  async hash(password: string, meta: { userUid: string; setAt: string }): Promise<PasswordRecord> {
    const salt = this.opts.randomBytes(SALT_BYTES);
    const params = this.params;
    const hash = await this.derive(password, salt, params);
    return { algorithm: "scrypt", params, salt: b64(salt), hash: b64(hash), userUid: meta.userUid, setAt: meta.setAt };
  }

  /** Constant-time check; without a record it still spends the same work, so an unknown user takes as long. */
  async verify(password: string, record: PasswordRecord | undefined): Promise<boolean> {
    const params = record?.params ?? this.params;
    const salt = record ? Buffer.from(record.salt, "base64") : new Uint8Array(SALT_BYTES);
    const derived = await this.derive(password, salt, params);
    const expected = record ? Buffer.from(record.hash, "base64") : Buffer.alloc(DK_LEN);
    const same = derived.length === expected.length && timingSafeEqual(derived, expected);
    return record !== undefined && same;
  }

  private async derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
    await this.acquire();
    try {
      // asyncTick lets the event loop serve other requests while a hash runs.
      return Buffer.from(await scryptAsync(password, salt, { ...params, dkLen: DK_LEN, asyncTick: 10 }));
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < (this.opts.maxConcurrent ?? 2)) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= (this.opts.maxQueued ?? 64)) return Promise.reject(tooManyRequests("too many password checks are in progress; retry shortly", 1));
    return new Promise((resolve) => this.waiting.push(() => (this.running++, resolve())));
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
