// The drawings, as SVG built by hand: an expiry bar (life left of a credential), the timeline of failed
// authentications and blocks, the score bar and the QR code. Sizes are attributes, never style attributes, so the CSP's style-src 'self' holds.

import type { ExpiryItem, TimelineBucket } from "./model.js";
import type { QrMatrix } from "./qr.js";

const NS = "http://www.w3.org/2000/svg";

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, children: readonly Node[] = []): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

const title = (text: string) => {
  const t = svgEl("title", {});
  t.textContent = text;
  return t;
};

/** A 160×12 bar: the track, and the share of the credential's life still left, coloured by urgency. */
export function expiryBar(item: ExpiryItem): SVGSVGElement {
  const width = 160;
  return svgEl("svg", { class: "expiry-bar", width, height: 12, viewBox: `0 0 ${width} 12`, role: "img", "aria-label": `${Math.round(item.remaining * 100)}% of its life left` }, [
    svgEl("rect", { class: "track", x: 0, y: 0, width, height: 12, rx: 3 }),
    svgEl("rect", { class: `fill ${item.level}`, x: 0, y: 0, width: Math.max(item.remaining > 0 ? 2 : 0, Math.round(item.remaining * width)), height: 12, rx: 3 }),
  ]);
}

/** One stacked bar per hour — failed authentications below, blocks above — scaled to the busiest hour, the hour labelled every six bars. */
export function timeline(buckets: readonly TimelineBucket[]): SVGSVGElement {
  const barWidth = 14;
  const gap = 4;
  const chartHeight = 80;
  // Room on both sides for the first and last hour labels.
  const pad = 16;
  const width = buckets.length * (barWidth + gap) + 2 * pad;
  const max = Math.max(1, ...buckets.map((b) => b.failures + b.blocks));
  const height = (n: number) => (n === 0 ? 0 : Math.max(3, Math.round((n / max) * chartHeight)));
  const bars = buckets.flatMap((b, i) => {
    const x = pad + i * (barWidth + gap);
    const hour = `${String(new Date(b.start).getHours()).padStart(2, "0")}:00`;
    const tip = title(`${hour} — ${b.failures} failed authentication${b.failures === 1 ? "" : "s"}, ${b.blocks} blocked`);
    const label = i % 6 === 0 ? [svgEl("text", { class: "axis", x: x + barWidth / 2, y: chartHeight + 14, "text-anchor": "middle" }, [document.createTextNode(hour)])] : [];
    if (b.failures + b.blocks === 0) return [svgEl("rect", { class: "bar", x, y: chartHeight - 1, width: barWidth, height: 1 }, [tip]), ...label];
    const hf = height(b.failures);
    const hb = height(b.blocks);
    return [
      ...(hf > 0 ? [svgEl("rect", { class: "bar failures", x, y: chartHeight - hf, width: barWidth, height: hf }, [tip])] : []),
      ...(hb > 0 ? [svgEl("rect", { class: "bar blocks", x, y: chartHeight - hf - hb, width: barWidth, height: hb }, [title(tip.textContent ?? "")])] : []),
      ...label,
    ];
  });
  const legend = [
    svgEl("rect", { class: "bar failures", x: pad, y: chartHeight + 20, width: 10, height: 10 }),
    svgEl("text", { class: "axis", x: pad + 14, y: chartHeight + 29 }, [document.createTextNode("failed authentications")]),
    svgEl("rect", { class: "bar blocks", x: pad + 150, y: chartHeight + 20, width: 10, height: 10 }),
    svgEl("text", { class: "axis", x: pad + 164, y: chartHeight + 29 }, [document.createTextNode("blocked requests")]),
  ];
  return svgEl("svg", { class: "timeline", width, height: chartHeight + 34, viewBox: `0 0 ${width} ${chartHeight + 34}`, role: "img", "aria-label": `failed authentications and blocks per hour, at most ${max}` }, [
    svgEl("line", { class: "baseline", x1: 0, y1: chartHeight, x2: width, y2: chartHeight }),
    ...bars,
    ...legend,
  ]);
}

/** A 200×10 bar of the security check's score, coloured by its level. */
export function scoreBar(percent: number, level: "ok" | "warn" | "critical"): SVGSVGElement {
  const width = 200;
  return svgEl("svg", { class: "score-bar", width, height: 10, viewBox: `0 0 ${width} 10`, role: "img", "aria-label": `score ${percent}%` }, [
    svgEl("rect", { class: "track", x: 0, y: 0, width, height: 10, rx: 3 }),
    svgEl("rect", { class: `fill ${level}`, x: 0, y: 0, width: Math.round((Math.min(100, Math.max(0, percent)) / 100) * width), height: 10, rx: 3 }),
  ]);
}

/** A QR code: one rect per dark module, inside the standard's four-module quiet zone, 4 px a module. */
export function qrSvg(qr: QrMatrix): SVGSVGElement {
  const quiet = 4;
  const side = qr.size + 2 * quiet;
  const modules = qr.modules.flatMap((row, y) => row.flatMap((dark, x) => (dark ? [svgEl("rect", { class: "module", x: x + quiet, y: y + quiet, width: 1, height: 1 })] : [])));
  return svgEl("svg", { class: "qr", width: side * 4, height: side * 4, viewBox: `0 0 ${side} ${side}`, "shape-rendering": "crispEdges", role: "img", "aria-label": "QR code of the authenticator URI" }, [
    svgEl("rect", { class: "quiet", x: 0, y: 0, width: side, height: side }),
    ...modules,
  ]);
}
