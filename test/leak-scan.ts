// Finding a secret value where it must not be. Each probe is a random alphanumeric value, so a hit is
// never chance: the whole value, its base64 or hex, or any WINDOW characters of it in a row (the
// snippet a parser's error message quotes) — 10 random alphanumerics are about 60 bits.

import { randomInt } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const WINDOW = 10;

export function randomValue(length = 40): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join("");
}

export interface Hit {
  source: string;
  probe: string;
  /** "value", "base64", "hex" or "piece" (WINDOW characters of it). */
  form: string;
  /** The text around the hit. */
  context: string;
}

export class LeakScanner {
  /** label → value */
  readonly probes = new Map<string, string>();
  private pieces = new Map<string, string>();

  /** A new random value to write, remembered under `label`. */
  value(label: string): string {
    return this.add(label, randomValue());
  }

  /** Remembers a value the server made (a generated one, learned from a release). */
  add(label: string, value: string): string {
    if (value.length < WINDOW || !/^[A-Za-z0-9]+$/.test(value)) throw new Error(`probe ${label} must be ${WINDOW}+ alphanumerics to be found without chance hits`);
    this.probes.set(label, value);
    for (let i = 0; i + WINDOW <= value.length; i++) this.pieces.set(value.slice(i, i + WINDOW), label);
    return value;
  }

  /** Every probe found in `content` (text, or bytes read as Latin-1 so every byte is one character). */
  scan(source: string, content: string | Buffer): Hit[] {
    const text = typeof content === "string" ? content : content.toString("latin1");
    const hits: Hit[] = [];
    const around = (at: number, length: number) => JSON.stringify(text.slice(Math.max(0, at - 40), at + length + 40));
    for (const [probe, value] of this.probes) {
      const b64 = Buffer.from(value).toString("base64").replace(/=+$/, "");
      for (const [form, needle] of [["value", value], ["base64", b64], ["hex", Buffer.from(value).toString("hex")]] as const) {
        const at = text.indexOf(needle);
        if (at >= 0) hits.push({ source, probe, form, context: around(at, needle.length) });
      }
    }
    const seen = new Set(hits.map((h) => h.probe));
    for (let i = 0; i + WINDOW <= text.length; i++) {
      const probe = this.pieces.get(text.slice(i, i + WINDOW));
      if (probe !== undefined && !seen.has(probe)) {
        seen.add(probe);
        hits.push({ source, probe, form: "piece", context: around(i, WINDOW) });
      }
    }
    return hits;
  }

  /** Scans every file under `dir`, each as bytes. */
  scanFiles(label: string, dir: string): { hits: Hit[]; files: string[] } {
    const hits: Hit[] = [];
    const files: string[] = [];
    const walk = (path: string) => {
      for (const entry of readdirSync(path)) {
        const full = join(path, entry);
        let stat;
        try {
          stat = statSync(full);
        } catch {
          continue; // removed while we looked (a WAL checkpointed, a temp file renamed)
        }
        if (stat.isDirectory()) walk(full);
        else if (stat.isFile()) {
          files.push(relative(dir, full));
          hits.push(...this.scan(`${label}/${relative(dir, full)}`, readFileSync(full)));
        }
      }
    };
    walk(dir);
    return { hits, files };
  }
}
