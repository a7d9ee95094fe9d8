// A plain HTTP server on 127.0.0.1:0 for test fakes: reads each body whole, then hands it to `handle`.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackServer {
  server: Server;
  url: string;
  /** Drops open connections (watches included) and stops listening. */
  close(): Promise<void>;
}

export async function startLoopbackServer(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
