// The security dashboard's static files as route-table entries: public (the page holds no data; every panel's
// REST call carries the viewer's own session token), cost "read", and only the fixed allow-list below is
// ever read from disk, so no request path becomes a file path. Every answer carries the dashboard's CSP.

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ApiError, pathNotFound } from "../../api/machinery/errors.js";
import type { RequestContext } from "../../api/server/request-context.js";
import type { Route } from "../../api/server/route-table.js";

export const DASHBOARD_PATH = "/dashboard";

/** No inline script or style anywhere, no third party, not framable. */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": DASHBOARD_CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cache-Control": "no-cache",
};

/** Where a served file lives: the page and its CSS beside this source, the compiled ES modules under dist. */
type Origin = "assets" | "scripts";

/** The allow-list: the URL name of each file, the folder it is read from, and its media type. */
export const DASHBOARD_FILES: Readonly<Record<string, { origin: Origin; type: string }>> = {
  "index.html": { origin: "assets", type: "text/html; charset=utf-8" },
  "dashboard.css": { origin: "assets", type: "text/css; charset=utf-8" },
  "app.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "api.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "mfa-panel.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "model.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "panel.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "panels.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "paths.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "qr.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "security-model.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "security-panels.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "svg.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
  "view.js": { origin: "scripts", type: "text/javascript; charset=utf-8" },
};

export interface DashboardFolders {
  /** index.html and dashboard.css: cmd/dashboard/web of the package. */
  assets: string;
  /** The compiled browser modules: dist/cmd/dashboard/web of the package. */
  scripts: string;
}

/** The package's folders, found from this file whether it runs as source (tests) or from dist. */
export function packageDashboardFolders(): DashboardFolders {
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, "package.json")) && dirname(root) !== root) root = dirname(root);
  return { assets: join(root, "cmd", "dashboard", "web"), scripts: join(root, "dist", "cmd", "dashboard", "web") };
}

export function dashboardRoutes(folders: DashboardFolders = packageDashboardFolders()): Route[] {
  const route = (id: string, path: string, file: (ctx: RequestContext) => string): Route => ({
    id,
    method: "GET",
    path,
    verb: "get",
    target: { resource: "dashboard" },
    access: { kind: "public" },
    cost: "read",
    handler: (ctx) => serveFile(ctx, folders, file(ctx)),
  });
  return [route("dashboard.page", DASHBOARD_PATH, () => "index.html"), route("dashboard.file", `${DASHBOARD_PATH}/{file}`, (ctx) => ctx.info.params.file ?? "")];
}

async function serveFile(ctx: RequestContext, folders: DashboardFolders, name: string): Promise<void> {
  // Own properties only: "constructor" or "__proto__" are not files.
  const entry = Object.hasOwn(DASHBOARD_FILES, name) ? DASHBOARD_FILES[name] : undefined;
  if (!entry) throw pathNotFound(ctx.info.path);
  let body: Buffer;
  try {
    body = await readFile(join(folders[entry.origin], name));
  } catch {
    throw new ApiError(503, "ServiceUnavailable", `the dashboard file ${name} is missing from ${folders[entry.origin]}; build the package (npm run build)`);
  }
  ctx.res.writeHead(200, { ...DASHBOARD_HEADERS, "Content-Type": entry.type, "Content-Length": body.length });
  ctx.res.end(ctx.req.method === "HEAD" ? undefined : body);
}
