// The duration strings of claw's CRDs (`90d`, `24h`, `1h30m`): a number and a unit d, h, m or s, repeated.
// DURATION_PATTERN is the `pattern` every duration field of crds/ declares (a test checks that they agree).

export const DURATION_PATTERN = "^0*[1-9][0-9]*[dhms]([0-9]+[dhms])*$";

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
const durationRe = new RegExp(DURATION_PATTERN);

/** Milliseconds in a duration such as `90d` or `1h30m`; throws a RangeError that quotes the text otherwise. */
export function parseDuration(text: string): number {
  if (!durationRe.test(text)) throw new RangeError(`"${text}" is not a duration; write a number and a unit d, h, m or s, such as 90d, 24h or 1h30m`);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)([dhms])/g)) ms += Number(amount) * (UNIT_MS[unit ?? ""] ?? 0);
  return ms;
}

/** The shortest duration string for a whole number of seconds, such as `90d` or `1h30m`; for status messages. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 1000) throw new RangeError(`${ms} ms is not a positive whole number of seconds`);
  let rest = Math.floor(ms / 1000) * 1000;
  let text = "";
  for (const unit of ["d", "h", "m", "s"]) {
    const size = UNIT_MS[unit] ?? 1;
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text;
}
