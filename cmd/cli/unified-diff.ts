// Line diffs in `diff -u` form: a longest common subsequence of lines, grouped into hunks with context.

export type DiffOp = { op: " " | "-" | "+"; line: string };

/** The edit script from a to b: kept, removed and added lines in order (removals before additions). */
export function diffLines(a: string[], b: string[]): DiffOp[] {
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..]; manifests are small enough for O(n·m).
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ op: " ", line: a[i++]! });
      j++;
    } else if (i < a.length && (j >= b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ op: "-", line: a[i++]! });
    } else {
      ops.push({ op: "+", line: b[j++]! });
    }
  }
  return ops;
}

/** The `@@ -l,s +l,s @@` hunks of a diff (no file headers); "" when a and b are the same. */
export function unifiedHunks(a: string[], b: string[], context = 3): string {
  const ops = diffLines(a, b);
  const changed = ops.map((o, k) => (o.op === " " ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return "";
  // Group changes whose context windows touch into one hunk.
  const groups: [number, number][] = [];
  for (const k of changed) {
    const last = groups.at(-1);
    if (last && k - last[1] <= 2 * context) last[1] = k;
    else groups.push([k, k]);
  }
  // Line numbers before each op, in a and in b.
  const posA: number[] = [];
  const posB: number[] = [];
  let la = 0;
  let lb = 0;
  for (const o of ops) {
    posA.push(la);
    posB.push(lb);
    if (o.op !== "+") la++;
    if (o.op !== "-") lb++;
  }
  let out = "";
  for (const [first, last] of groups) {
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length - 1, last + context);
    const slice = ops.slice(from, to + 1);
    const countA = slice.filter((o) => o.op !== "+").length;
    const countB = slice.filter((o) => o.op !== "-").length;
    out += `@@ -${range(posA[from]!, countA)} +${range(posB[from]!, countB)} @@\n`;
    out += slice.map((o) => `${o.op}${o.line}\n`).join("");
  }
  return out;
}

/** GNU diff's range: 1-based start, and for an empty side the line before it (`0,0`). */
function range(start: number, count: number): string {
  const first = count === 0 ? start : start + 1;
  return count === 1 ? `${first}` : `${first},${count}`;
}
