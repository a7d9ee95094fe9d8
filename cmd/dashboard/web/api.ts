// The dashboard's only way to the server: fetch with the session token from memory as Authorization: Bearer
// (never a cookie, so no request is made on the viewer's behalf by another site: CSRF-safe by construction).
// A refusal becomes an ApiFailure carrying the Status the server sent.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: StatusCause[] };
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: StatusBody,
  ) {
    super(body.message ?? `the server answered ${status}`);
  }
}

export const isStatusBody = (value: unknown): value is StatusBody => typeof value === "object" && value !== null && !Array.isArray(value);

export interface Session {
  token: string;
  username: string;
}

/** Calls the API; `session` undefined for login. JSON in, JSON out. */
export async function callApi<T>(path: string, opts: { session?: Session; method?: "GET" | "POST"; json?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (opts.session) headers.Authorization = `Bearer ${opts.session.token}`;
  if (opts.json !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method: opts.method ?? "GET",
    headers,
    credentials: "omit",
    cache: "no-store",
    ...(opts.json !== undefined ? { body: JSON.stringify(opts.json) } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { message: text.slice(0, 200) };
  }
  if (!res.ok) throw new ApiFailure(res.status, isStatusBody(body) ? body : {});
  return body as T;
}

/**
 * Opens a watch (newline-delimited JSON events) and hands each event to `onEvent`. Resolves once the server
 * accepted it, with `ended`, which settles when the stream stops for any reason (the caller reconnects); a
 * refusal rejects with the ApiFailure as callApi's does.
 */
export async function watchApi(path: string, opts: { session: Session; signal: AbortSignal }, onEvent: (event: unknown) => void): Promise<{ ended: Promise<void> }> {
  const res = await fetch(path, { headers: { Accept: "application/json", Authorization: `Bearer ${opts.session.token}` }, credentials: "omit", cache: "no-store", signal: opts.signal });
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => "");
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { message: text.slice(0, 200) };
    }
    throw new ApiFailure(res.status, isStatusBody(body) ? body : {});
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffered = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += value;
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) onEvent(JSON.parse(line));
      }
    }
  })().catch(() => undefined);
  return { ended };
}
