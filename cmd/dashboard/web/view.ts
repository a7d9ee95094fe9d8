// Small DOM builders: elements with text (never innerHTML, so nothing the server sends is parsed as markup) and tables.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, opts: { className?: string; text?: string } = {}, children: readonly Node[] = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (opts.className) node.className = opts.className;
  if (opts.text !== undefined) node.textContent = opts.text;
  node.append(...children);
  return node;
}

/** A table with a header row; a cell is text or a node (a bar, a badge). */
export function table(headers: readonly string[], rows: readonly (readonly (string | Node)[])[]): HTMLTableElement {
  const head = el("thead", {}, [el("tr", {}, headers.map((h) => el("th", { text: h })))]);
  const body = el(
    "tbody",
    {},
    rows.map((cells) => el("tr", {}, cells.map((c) => (typeof c === "string" ? el("td", { text: c }) : el("td", {}, [c]))))),
  );
  return el("table", {}, [head, body]);
}

export const badge = (text: string, tone: "ok" | "warn" | "critical" | "muted") => el("span", { className: `badge ${tone}`, text });

export const empty = (text: string) => el("p", { className: "empty", text });

/** "2026-11-29 17:20:05" in the viewer's time zone. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
