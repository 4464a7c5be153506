/**
 * tcpdiscovery → the host's Processes with their listen sets and client
 * connections, then DEPENDS_ON derived from them.
 *
 * A Process is known by system + executable + argv hash. The probe groups by
 * uid and gid as well, so two groups may be one Process here: their sockets
 * are merged and the other properties come from the first group by key.
 */
import { basename } from "node:path";
import { argvHash, processKey } from "../../graph/keys.js";
import type { IpPortFacts, ProcessFacts, Props } from "../../graph/store.js";
import { type Endpoint, ipPortFacts } from "./addresses.js";
import type { Mapper } from "./context.js";

interface ProcessGroup {
  exe: string | null;
  exe_deleted: boolean;
  cmdline: string[];
  uid: number | null;
  gid: number | null;
  user: string | null;
  group: string | null;
  cwd: string | null;
  listen: Endpoint[];
  clients: Endpoint[];
}

const UNOWNED = "unowned";

interface Building {
  key: string;
  props: Props;
  listen: Map<string, IpPortFacts>;
  clients: Map<string, IpPortFacts>;
}

export const mapTcpdiscovery: Mapper = (document, context) => {
  const data = document.data as Record<
    string,
    ProcessGroup | { listen: Endpoint[]; clients: Endpoint[] }
  >;
  const { system, at } = context;
  const warnings: string[] = [];
  const processes = new Map<string, Building>();

  for (const groupKey of Object.keys(data).sort()) {
    const group = data[groupKey] as ProcessGroup;
    let exe: string;
    let props: Props;
    if (groupKey === UNOWNED) {
      // Sockets of the kernel or of processes the probe cannot see: one Process stands for them.
      exe = "[unowned]";
      props = { name: UNOWNED, exe: null, unowned: true, argv: [], argv_sha256: argvHash([]) };
    } else {
      const commandName = groupKey.slice(0, groupKey.lastIndexOf(":"));
      exe = group.exe ?? `[${commandName}]`;
      props = {
        name: group.exe ? basename(group.exe) : commandName,
        exe: group.exe,
        exe_deleted: group.exe_deleted,
        argv: group.cmdline,
        argv_sha256: argvHash(group.cmdline),
        uid: group.uid,
        gid: group.gid,
        user: group.user,
        group: group.group,
        cwd: group.cwd,
      };
    }
    const key = processKey(system, exe, props.argv_sha256 as string);
    let building = processes.get(key);
    if (!building) {
      building = { key, props, listen: new Map(), clients: new Map() };
      processes.set(key, building);
    }
    for (const [side, endpoints] of [
      ["listen", group.listen],
      ["clients", group.clients],
    ] as const) {
      for (const endpoint of endpoints) {
        const port = ipPortFacts(endpoint, system);
        if (!port) {
          warnings.push(`tcpdiscovery ${groupKey}: "${endpoint.addr}" is not an address; skipped`);
          continue;
        }
        if (side === "clients" && port.ip === null) {
          warnings.push(`tcpdiscovery ${groupKey}: a client of the wildcard address; skipped`);
          continue;
        }
        building[side].set(port.key, port);
      }
    }
  }

  const facts: ProcessFacts[] = [...processes.values()].map((p) => ({
    key: p.key,
    props: p.props,
    listen: [...p.listen.values()],
    clients: [...p.clients.values()],
  }));
  return {
    warnings,
    apply: async (tx) => {
      await tx.replaceProcesses(system, facts, at);
      await tx.linkDependencies(system, at);
    },
  };
};
