/**
 * A UDP front door for one client on loopback, recording every datagram: what
 * the client sends goes on to the server; what anyone else sends (the server's
 * answers, peers' heartbeats) goes to the client. The recorded genuine traffic
 * is what fuzz tests replay and mutate.
 */
import { createSocket, type Socket } from "node:dgram";
import type { UdpAddress } from "../../protocol/transport.js";

const KEEP = 10_000;

export class UdpRelay {
  /** Sent by the client (sealed for the server or its peers). */
  readonly fromClient: Buffer[] = [];
  /** Sent to the client (sealed for it). */
  readonly toClient: Buffer[] = [];

  private constructor(
    private readonly socket: Socket,
    server: UdpAddress,
    client: UdpAddress,
  ) {
    socket.on("message", (datagram, from) => {
      if (from.address === client.address && from.port === client.port) {
        if (this.fromClient.length < KEEP) this.fromClient.push(datagram);
        socket.send(datagram, server.port, server.address);
      } else {
        if (this.toClient.length < KEEP) this.toClient.push(datagram);
        socket.send(datagram, client.port, client.address);
      }
    });
  }

  static async start(server: UdpAddress, client: UdpAddress): Promise<UdpRelay> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return new UdpRelay(socket, server, client);
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
