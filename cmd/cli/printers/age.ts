// Ages as kubectl prints them (`45s`, `5m`, `3h12m`, `2d`), from k8s.io/apimachinery's HumanDuration.

export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** The age of an RFC 3339 timestamp at `nowMs`, or undefined when it is not one. */
export function ageOf(timestamp: string, nowMs: number): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(timestamp)) return undefined;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? undefined : humanDuration(nowMs - at);
}

/**
 * A date column's cell: the age of a time past ("5m"), or how far ahead a time to come is ("in 89d"), where
 * kubectl would print "<invalid>". Undefined when the text is not an RFC 3339 timestamp.
 */
export function relativeTime(timestamp: string, nowMs: number): string | undefined {
  const age = ageOf(timestamp, nowMs);
  if (age !== "<invalid>") return age;
  return `in ${humanDuration(Date.parse(timestamp) - nowMs)}`;
}
