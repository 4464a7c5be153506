/**
 * Serves the API app over HTTP, on 127.0.0.1 unless told otherwise: the API
 * has no authentication, so reaching it from elsewhere is an explicit choice.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ApiAppOptions, createApiApp } from "./app.js";
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from "./defaults.js";

export { DEFAULT_API_HOST, DEFAULT_API_PORT };

/** How long close() lets requests in progress finish before cutting them. */
export const DEFAULT_CLOSE_GRACE_MS = 5_000;

export interface ApiServerOptions extends ApiAppOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface ApiServer {
  host: string;
  port: number;
  /** "http://127.0.0.1:8984", IPv6 hosts in brackets. */
  url: string;
  server: Server;
  /** Stops accepting, lets requests in progress finish (up to graceMs), then closes. */
  close(graceMs?: number): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? DEFAULT_API_HOST;
  const port = options.port ?? DEFAULT_API_PORT;
  const server = createServer(createApiApp(options));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    url: `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`,
    server,
    close(graceMs = DEFAULT_CLOSE_GRACE_MS) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
