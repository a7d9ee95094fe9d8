// Routes are data: one table of every path the server answers, each entry with its handler, the
// permission it needs (or `public`), and the cost class the guard charges. The pipeline matches a
// request against the table once (request-info.ts); the authorizer reads the entry's access; nothing
// authorizes itself. A route added without a declared access does not typecheck, and the route-table
// test calls every entry without a credential and with one that holds nothing.

import type { HttpMethod, Route } from "./request-context.js";

export type { AccessPolicy, CostClass, HttpMethod, RequestInfoBase, Route, RouteAccess } from "./request-context.js";

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  /** The path exists under other methods: 405 (after authentication). */
  | { kind: "method"; allowed: HttpMethod[] }
  | { kind: "none" };

interface Node {
  children: Map<string, Node>;
  /** The `{param}` child and its name. */
  param?: { name: string; node: Node };
  routes: Map<HttpMethod, Route>;
}

const newNode = (): Node => ({ children: new Map(), routes: new Map() });

/** A tree of literal segments and `{param}` captures; literals win over captures. */
export class RouteTable {
  private readonly root = newNode();
  private readonly byId = new Map<string, Route>();

  constructor(routes: readonly Route[] = []) {
    for (const route of routes) this.add(route);
  }

  add(route: Route): void {
    if (this.byId.has(route.id)) throw new Error(`route ${route.id} is declared twice`);
    let node = this.root;
    for (const segment of segmentsOf(route.path)) {
      const param = /^\{([a-zA-Z]+)\}$/.exec(segment);
      if (param) {
        if (node.param && node.param.name !== param[1]) throw new Error(`route ${route.id}: {${param[1]}} conflicts with {${node.param.name}} at the same place`);
        node.param ??= { name: param[1]!, node: newNode() };
        node = node.param.node;
      } else {
        let next = node.children.get(segment);
        if (!next) node.children.set(segment, (next = newNode()));
        node = next;
      }
    }
    const existing = node.routes.get(route.method);
    if (existing) throw new Error(`routes ${existing.id} and ${route.id} both answer ${route.method} ${route.path}`);
    node.routes.set(route.method, route);
    this.byId.set(route.id, route);
  }

  all(): Route[] {
    return [...this.byId.values()];
  }

  /** `segments` are already percent-decoded. HEAD falls back to GET. */
  match(method: string, segments: readonly string[]): RouteMatch {
    const params: Record<string, string> = {};
    const node = this.walk(this.root, segments, 0, params);
    if (!node || node.routes.size === 0) return { kind: "none" };
    const route = node.routes.get(method as HttpMethod) ?? (method === "HEAD" ? node.routes.get("GET") : undefined);
    if (route) return { kind: "found", route, params };
    return { kind: "method", allowed: [...node.routes.keys()] };
  }

  private walk(node: Node, segments: readonly string[], i: number, params: Record<string, string>): Node | undefined {
    if (i === segments.length) return node;
    const segment = segments[i]!;
    const literal = node.children.get(segment);
    if (literal) {
      const found = this.walk(literal, segments, i + 1, params);
      if (found && found.routes.size > 0) return found;
    }
    if (node.param && segment !== "") {
      const found = this.walk(node.param.node, segments, i + 1, params);
      if (found && found.routes.size > 0) {
        params[node.param.name] = segment;
        return found;
      }
    }
    return undefined;
  }
}

const segmentsOf = (path: string): string[] => path.split("/").slice(1);
