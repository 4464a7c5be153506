/**
 * Real stacks for a simulation: each simulated system gets its own UDP socket
 * on loopback, its own X25519 key pair and the real sealing, replay checks and
 * reliable messenger. All of them share 127.0.0.1, so the CMA's limit on
 * never-verified senders per source address is lifted for the run.
 */
import { createPacketEndpoint } from "../../protocol/crypto/endpoint.js";
import { generateKeyPair } from "../../protocol/crypto/keys.js";
import type { ProtocolStack } from "../../protocol/stack.js";
import { STACK_MAX_DATAGRAM, stackOver } from "../../protocol/udp-stack.js";
import type { StackFactory } from "./simulate.js";

/** One process can hold this many sockets comfortably (the file descriptor limit is the bound). */
export const MAX_UDP_SYSTEMS = 10_000;

async function loopbackStack(unlimited: boolean): Promise<ProtocolStack> {
  const endpoint = await createPacketEndpoint({
    keyPair: generateKeyPair(),
    bind: { address: "127.0.0.1", port: 0 },
    maxDatagram: STACK_MAX_DATAGRAM,
    ...(unlimited
      ? {
          newSenderRate: { rate: 1e9, burst: 1e9 },
          newSenderGlobalRate: { rate: 1e9, burst: 1e9 },
        }
      : {}),
  });
  return stackOver(endpoint);
}

export function udpStacks(): StackFactory {
  const open: ProtocolStack[] = [];
  const track = (stack: ProtocolStack) => {
    open.push(stack);
    return stack;
  };
  return {
    cma: async () => track(await loopbackStack(true)),
    probe: async () => track(await loopbackStack(false)),
    kill: (stack) => stack.close(),
    ringCommands: (probes) =>
      probes.reduce(
        (sum, probe) =>
          sum +
          (probe.received.get("SEND_EXPECT_HB") ?? 0) +
          (probe.received.get("STOP_SEND_EXPECT_HB") ?? 0),
        0,
      ),
    close: async () => {
      for (const stack of open.splice(0)) await stack.close();
    },
  };
}
