// The `Warning` response header (RFC 7234 5.5) as Kubernetes sends it: `299 - "unknown field \"spec.foo\""`,
// several comma-separated in one header or across headers. Parsed as client-go's ParseWarningHeaders does.

export interface WarningHeader {
  /** 299 ("miscellaneous persistent warning") is the only code Kubernetes sends and clients show. */
  code: number;
  agent: string;
  text: string;
}

/** The warnings in the header values; a malformed warning ends its header value, the next value is still read. */
export function parseWarningHeaders(values: string | readonly string[] | undefined): WarningHeader[] {
  const list = values === undefined ? [] : typeof values === "string" ? [values] : values;
  const warnings: WarningHeader[] = [];
  for (const value of list) {
    let rest = value;
    while (rest.trim() !== "") {
      const parsed = parseOne(rest);
      if (!parsed) break;
      warnings.push(parsed.warning);
      rest = parsed.remainder;
    }
  }
  return warnings;
}

/** The texts of the code-299 warnings, the ones kubectl prints as `Warning: <text>`. */
export const warningTexts = (values: string | readonly string[] | undefined): string[] =>
  parseWarningHeaders(values).flatMap((w) => (w.code === 299 ? [w.text] : []));

/** One `code agent "text" ["date"]`, then an optional comma; undefined when malformed. */
function parseOne(header: string): { warning: WarningHeader; remainder: string } | undefined {
  const start = /^\s*(\d{3}) ([^\s"]+) /.exec(header);
  if (!start) return undefined;
  const text = quoted(header, start[0].length);
  if (!text) return undefined;
  let end = text.end;
  if (header.startsWith(' "', end)) {
    const date = quoted(header, end + 1);
    if (!date) return undefined;
    end = date.end;
  }
  const after = /^\s*(,|$)/.exec(header.slice(end));
  if (!after) return undefined;
  return { warning: { code: Number(start[1]), agent: start[2]!, text: text.value }, remainder: header.slice(end + after[0].length) };
}

/** A quoted-string with backslash escapes starting at `at`; `end` is just past its closing quote. */
function quoted(header: string, at: number): { value: string; end: number } | undefined {
  if (header[at] !== '"') return undefined;
  let value = "";
  for (let i = at + 1; i < header.length; i++) {
    const c = header[i]!;
    if (c === "\\" && i + 1 < header.length) value += header[++i];
    else if (c === '"') return { value, end: i + 1 };
    else value += c;
  }
  return undefined;
}
