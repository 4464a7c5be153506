/** Helpers for the probe/monitor tests: liveness of a pid and TCP listeners on 127.0.0.1. */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";

/** Alive and not a zombie (an unreaped orphan in a container without an init that reaps). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

const connections = new WeakMap<Server, Set<Socket>>();

/** A TCP listener on 127.0.0.1: without `greeting` it closes each connection at once. */
export function listen(port = 0, greeting?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
      if (greeting === undefined) socket.end();
      // Stay open until the client hangs up, as a real server would after its banner.
      else socket.write(greeting);
      socket.setTimeout(5_000, () => socket.destroy());
    });
    connections.set(server, sockets);
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

export function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Connections still open would keep close() waiting.
    for (const socket of connections.get(server) ?? []) socket.destroy();
  });
}
