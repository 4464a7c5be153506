import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface WebhookRequest {
  method: string;
  contentType: string | undefined;
  body: string;
}

/** What to do with one request: answer with a status, never answer, or cut the connection. */
export type WebhookAnswer = number | "hang" | "destroy";

export interface WebhookReceiver {
  url: string;
  /** Every request, in arrival order. */
  requests: WebhookRequest[];
  /** Parsed bodies of the requests answered 2xx: what the receiver stored. */
  stored: unknown[];
  /** Answers every request left hanging so far with this status. */
  release(status: number): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that answers as `answer` says. */
export async function startWebhookReceiver(
  answer: (request: WebhookRequest, index: number) => WebhookAnswer,
): Promise<WebhookReceiver> {
  const requests: WebhookRequest[] = [];
  const stored: unknown[] = [];
  let hanging: { response: ServerResponse; request: WebhookRequest }[] = [];
  const reply = (response: ServerResponse, request: WebhookRequest, status: number) => {
    if (status >= 200 && status < 300) stored.push(JSON.parse(request.body));
    response.writeHead(status, { "content-type": "text/plain" }).end("ok");
  };
  const server = createServer((incoming: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const request = {
        method: incoming.method ?? "",
        contentType: incoming.headers["content-type"],
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      const what = answer(request, requests.length - 1);
      if (what === "hang") hanging.push({ response, request });
      else if (what === "destroy") incoming.socket.destroy();
      else reply(response, request, what);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    stored,
    release(status) {
      const now = hanging;
      hanging = [];
      for (const { response, request } of now) {
        if (!response.destroyed) reply(response, request, status);
      }
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on which nothing listens: connections are refused. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}
