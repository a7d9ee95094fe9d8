import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { isUnauthorized } from "../machinery/errors.js";
import { defaultAuthConfig } from "./auth-config.js";
import { JwtSessions } from "./jwt-sessions.js";

const HOUR = 3_600_000;
const secret = new Uint8Array(32).fill(7);
const make = (clock = new FakeClock()) => ({ clock, sessions: new JwtSessions({ config: defaultAuthConfig().jwt, secret, clock, randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)) }) });

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(isUnauthorized(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("JwtSessions", () => {
  it("issues a token it verifies, with the session's limit", async () => {
    const { clock, sessions } = make();
    const { token, claims } = await sessions.issue({ username: "alice", userUid: "u1", expiryHours: 24 });
    expect(claims).toMatchObject({ username: "alice", userUid: "u1", issuedAtMs: clock.now(), expiresAtMs: clock.now() + 24 * HOUR, maxExpiresAtMs: clock.now() + 168 * HOUR });
    expect(await sessions.verify(token)).toEqual(claims);
    expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
  });

  it("never issues past the session's limit", async () => {
    const { clock, sessions } = make();
    const { claims } = await sessions.issue({ username: "a", userUid: "u", expiryHours: 24, maxExpiresAtMs: clock.now() + HOUR });
    expect(claims.expiresAtMs).toBe(clock.now() + HOUR);
  });

  it("refuses a token at its expiry instant, not a second later", async () => {
    const { clock, sessions } = make();
    const { token } = await sessions.issue({ username: "a", userUid: "u", expiryHours: 1 });
    clock.step(HOUR - 1000);
    await expect(sessions.verify(token)).resolves.toBeDefined();
    clock.step(1000);
    expect(await refusal(sessions.verify(token))).toContain("expired");
  });

  it("tolerates a not-before a few seconds ahead (another server's clock) but not more", async () => {
    const { clock, sessions } = make();
    const sign = (nbf: number) =>
      new SignJWT({ max_exp: nbf + 3600, uid: "u" }).setProtectedHeader({ alg: "HS256" }).setIssuer("clawbernetes").setSubject("a").setJti("j").setIssuedAt(nbf).setNotBefore(nbf).setExpirationTime(nbf + 3600).sign(secret);
    const now = Math.floor(clock.now() / 1000);
    await expect(sessions.verify(await sign(now + 3))).resolves.toBeDefined();
    expect(await refusal(sessions.verify(await sign(now + 60)))).toContain("not valid yet");
  });

  it("refuses a token without our custom claims", async () => {
    const { sessions } = make();
    const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setIssuer("clawbernetes").setSubject("a").setJti("j").setIssuedAt().setExpirationTime("1h").sign(secret);
    expect(await refusal(sessions.verify(token))).toContain("not valid");
  });

  it.each([
    ["defaults to default_expiry_hours", undefined, 24],
    ["caps at max_expiry_hours", 1000, 168],
    ["keeps a value in range", 2, 2],
  ])("expiryHours %s", (_name, asked, want) => {
    expect(make().sessions.expiryHours(asked)).toBe(want);
  });

  it("refuses a non-positive expiry with 400", () => {
    expect(() => make().sessions.expiryHours(0)).toThrow("expiryHours must be a positive number of hours");
  });
});
