// `claw pki list`: every Certificate with what an operator checks first — is it ready, when does it
// expire, is it revoked. DAYS LEFT is coloured on a terminal unless NO_COLOR is set (https://no-color.org).

import type { Command } from "commander";
import type { Certificate } from "../../../api/types/certificate.js";
import { CONDITION_READY } from "../../../api/types/pki-api.js";
import { runAction } from "../cli-action.js";
import type { TextSink } from "../cli-session.js";
import { renderRows } from "../printers/row-table.js";
import { conditionOf } from "../pki-readiness.js";
import { CERTIFICATES, type PkiCommandContext } from "./pki-context.js";

const DAY_MS = 86_400_000;
/** Under this many days left the cell is yellow; under RED_DAYS (or expired), red. */
const YELLOW_DAYS = 30;
const RED_DAYS = 7;
const COLOURS = { yellow: "\u001b[33m", red: "\u001b[31m", reset: "\u001b[0m" } as const;
const COLUMNS = ["Name", "Common Name", "CA", "Issuer", "Ready", "Expires", "Days Left", "Revoked"].map((name) => ({ name }));
const DAYS_LEFT_HEADER = "DAYS LEFT";

export function addPkiListCommand(pki: Command, ctx: PkiCommandContext): void {
  const { session } = ctx;
  pki
    .command("list")
    .description("list certificates: common name, CA, issuer, ready, expiry, days left, revoked (objects in full: claw get certificates -o yaml)")
    .action(
      runAction(session, async () => {
        const list = await (await session.client()).list<Certificate>(CERTIFICATES, { ...(session.deps.signal ? { signal: session.deps.signal } : {}) });
        if (list.items.length === 0) return session.err("No resources found");
        session.out(renderCertificateTable(list.items, { nowMs: session.clock.now(), colour: useColour(session.deps.stdout, session.deps.env) }));
      }),
    );
}

/** Colour only for a person at a terminal who has not asked for none. */
export function useColour(stdout: TextSink, env: Record<string, string | undefined>): boolean {
  return (stdout as { isTTY?: unknown }).isTTY === true && !env.NO_COLOR;
}

/** Whole days until notAfter; "expired" once it has passed; undefined before the first issuance. */
export function daysLeft(notAfter: string | undefined, nowMs: number): number | "expired" | undefined {
  if (!notAfter) return undefined;
  const at = Date.parse(notAfter);
  if (Number.isNaN(at)) return undefined;
  return at <= nowMs ? "expired" : Math.floor((at - nowMs) / DAY_MS);
}

const colourOf = (left: ReturnType<typeof daysLeft>): keyof typeof COLOURS | undefined => {
  if (left === undefined) return undefined;
  if (left === "expired" || left < RED_DAYS) return "red";
  return left < YELLOW_DAYS ? "yellow" : undefined;
};

export function renderCertificateTable(certs: readonly Certificate[], opts: { nowMs: number; colour: boolean }): string {
  const sorted = [...certs].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const left = sorted.map((c) => daysLeft(c.status?.notAfter, opts.nowMs));
  const rows = sorted.map((c, i) => [
    c.metadata.name,
    c.spec?.commonName,
    c.spec?.isCA === true,
    c.spec?.issuerRef?.name ?? "self-signed",
    conditionOf(c, CONDITION_READY)?.status,
    c.status?.notAfter,
    left[i],
    c.spec?.revoked === true,
  ]);
  const text = renderRows(COLUMNS, rows, opts.nowMs);
  if (!opts.colour) return text;
  // Coloured after layout, so escape codes never count towards a column's width.
  const lines = text.split("\n");
  const at = lines[0]!.indexOf(DAYS_LEFT_HEADER);
  return lines
    .map((line, i) => {
      const colour = i === 0 ? undefined : colourOf(left[i - 1]);
      if (!colour) return line;
      const cell = String(left[i - 1]);
      return `${line.slice(0, at)}${COLOURS[colour]}${cell}${COLOURS.reset}${line.slice(at + cell.length)}`;
    })
    .join("\n");
}
