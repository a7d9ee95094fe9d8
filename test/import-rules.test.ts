// The layout of DESIGN.md, enforced: which folders may import which, and no import cycles at all. Type-only
// imports count like any other — a cycle of types is still a design cycle.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const SCANNED = ["api", "controllers", "cmd"];
const CONTRACT = ["api/types", "api/machinery", "api/client", "api/rbac"];
/** One folder per server module, including those not written yet. */
const MODULES = ["api/auth", "api/audit", "api/secrets", "api/pki", "api/guard", "api/nodes"];
const CORE = ["api/server", "api/store", "api/schema"];

const isSkipped = (file: string) => file.endsWith(".test.ts") || file.split("/").some((part) => part === "testing" || part === "testdata");

function sourceFiles(dir: string): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") && !isSkipped(path) ? [path] : [];
  });
}

/** A relative specifier as a path from the repository root: `.js` → `.ts`, a bare folder → its index. */
function resolveSpecifier(from: string, specifier: string): string {
  const base = relative(ROOT, resolve(ROOT, dirname(from), specifier)).split("\\").join("/");
  const candidates = [base.replace(/\.js$/, ".ts"), `${base}.ts`, `${base}/index.ts`, base];
  return candidates.find((c) => existsSync(join(ROOT, c))) ?? base;
}

interface Edge {
  from: string;
  to: string;
}

const files = SCANNED.flatMap(sourceFiles).sort();
const edges: Edge[] = files.flatMap((from) =>
  ts
    .preProcessFile(readFileSync(join(ROOT, from), "utf8"), true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => ({ from, to: resolveSpecifier(from, specifier) })),
);

const within = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);
const inAny = (file: string, folders: readonly string[]) => folders.some((folder) => within(file, folder));
const moduleOf = (file: string) => MODULES.find((m) => within(file, m));

interface Rule {
  sentence: string;
  /** The importing files the rule speaks of. */
  applies: (from: string) => boolean;
  allowed: (from: string, to: string) => boolean;
}

const RULES: Rule[] = [
  {
    sentence: "modules never import another module",
    applies: (from) => moduleOf(from) !== undefined,
    allowed: (from, to) => moduleOf(to) === undefined || moduleOf(to) === moduleOf(from),
  },
  {
    sentence: "modules import only themselves, the contract, api/server, api/store and api/schema",
    applies: (from) => moduleOf(from) !== undefined,
    allowed: (from, to) => moduleOf(to) === moduleOf(from) || inAny(to, CONTRACT) || inAny(to, CORE),
  },
  {
    sentence: "controllers import only controllers and the contract",
    applies: (from) => within(from, "controllers"),
    allowed: (_from, to) => within(to, "controllers") || inAny(to, CONTRACT),
  },
  {
    sentence: "the CLI imports only the CLI and the contract",
    applies: (from) => within(from, "cmd/cli"),
    allowed: (_from, to) => within(to, "cmd/cli") || inAny(to, CONTRACT),
  },
  {
    sentence: "the node agent imports only cmd/node and the contract",
    applies: (from) => within(from, "cmd/node"),
    allowed: (_from, to) => within(to, "cmd/node") || inAny(to, CONTRACT),
  },
  {
    sentence: "the dashboard imports only cmd/dashboard, the contract and api/server's route types",
    applies: (from) => within(from, "cmd/dashboard"),
    allowed: (_from, to) => within(to, "cmd/dashboard") || inAny(to, CONTRACT) || to === "api/server/route-table.ts" || to === "api/server/request-context.ts",
  },
  {
    sentence: "the contract imports only the contract",
    applies: (from) => inAny(from, CONTRACT),
    allowed: (_from, to) => inAny(to, CONTRACT),
  },
  {
    sentence: "api/server, api/store and api/schema never import a module, cmd/ or controllers/",
    applies: (from) => inAny(from, CORE),
    allowed: (_from, to) => !inAny(to, MODULES) && !within(to, "cmd") && !within(to, "controllers"),
  },
];

/** Tarjan's strongly connected components; each component of more than one file (or a self-import) holds a cycle. */
function cyclicComponents(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** One shortest cycle through the component's first file, as `a → b → … → a`. */
function cycleThrough(component: string[], graph: Map<string, string[]>): string {
  const members = new Set(component);
  const start = component[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = parent.get(u)) path.splice(1, 0, u);
        return [...path, start].join(" → ");
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return component.join(", ");
}

describe("import rules", () => {
  it("finds the source files it judges", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(edges.length).toBeGreaterThan(50);
  });

  it.each(RULES.map((r) => [r.sentence, r] as const))("%s", (_sentence, rule) => {
    const violations = edges.filter((e) => rule.applies(e.from) && !rule.allowed(e.from, e.to)).map((e) => `${e.from} → ${e.to}`);
    expect(violations).toEqual([]);
  });

  it("has no import cycles", () => {
    const graph = new Map<string, string[]>(files.map((f) => [f, []]));
    for (const e of edges) if (graph.has(e.to)) graph.get(e.from)!.push(e.to);
    const cycles = cyclicComponents(graph).map((component) => `${cycleThrough(component, graph)}   [component: ${component.join(", ")}]`);
    expect(cycles).toEqual([]);
  });
});
