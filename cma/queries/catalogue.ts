/**
 * The named queries every store answers, with their parameters and result
 * columns. Each adapter implements each query so that the rows are equal,
 * in the same order (the contract suite compares them); the CLI (`assim query`)
 * and the REST API list and validate from this catalogue.
 *
 * Shared conventions:
 * - A "host" parameter names Systems by key ("host:<machine id>",
 *   "switch:<chassis id>"), machine id, or hostname / switch name; every System
 *   matching any of these is used (two hosts may share a hostname).
 * - Only active elements (gone_since null) are followed, unless a query says
 *   otherwise. Lists inside a cell are sorted and hold distinct values.
 * - Strings sort by code point.
 */

export type ParamType = "string" | "integer" | "boolean" | "ip" | "mac" | "enum";

export interface ParamDefinition {
  name: string;
  type: ParamType;
  description: string;
  required?: boolean;
  /** Used when the parameter is absent. */
  default?: string | number | boolean;
  /** For "integer". */
  min?: number;
  max?: number;
  /** For "enum". */
  values?: readonly string[];
  /** For "string": longest accepted value. */
  maxLength?: number;
}

export interface ColumnDefinition {
  name: string;
  description: string;
}

export interface QueryDefinition {
  name: string;
  description: string;
  params: readonly ParamDefinition[];
  columns: readonly ColumnDefinition[];
  /** How rows are ordered (every adapter produces this order). */
  order: string;
  /** Combination rules checked after each parameter: a message, or null when fine. */
  check?: (params: Readonly<Record<string, unknown>>) => string | null;
}

const HOST_PARAM: ParamDefinition = {
  name: "host",
  type: "string",
  maxLength: 512,
  description: "system key, machine id, hostname or switch name",
};

const col = (name: string, description: string): ColumnDefinition => ({ name, description });

const SYSTEM_COLUMNS = [
  col("key", "System key"),
  col("kind", "host or switch"),
  col("name", "hostname, or the switch's announced name"),
] as const;

export const QUERIES: readonly QueryDefinition[] = [
  {
    name: "systems",
    description: "All systems (hosts and switches) with their status",
    params: [
      {
        name: "kind",
        type: "enum",
        values: ["host", "switch"],
        description: "only hosts or only switches",
      },
    ],
    columns: [
      ...SYSTEM_COLUMNS,
      col("status", "up, down or unknown"),
      col("status_reason", "why the status was last set"),
      col("status_since", "when the status last changed"),
      col("first_seen", "first observation"),
      col("last_seen", "last observation"),
      col("gone_since", "when it was retired (decommissioned), or null"),
    ],
    order: "kind, name, key",
  },
  {
    name: "down-systems",
    description: "Systems whose status is down",
    params: [],
    columns: [
      ...SYSTEM_COLUMNS,
      col("status_reason", "why it is down"),
      col("status_since", "since when"),
      col("last_seen", "last observation"),
    ],
    order: "status_since, name, key",
  },
  {
    name: "unmonitored-services",
    description: "Listening processes that no monitor watches (no active MONITORED_BY)",
    params: [{ ...HOST_PARAM, description: `only on these systems: ${HOST_PARAM.description}` }],
    columns: [
      col("system", "System key"),
      col("host", "hostname"),
      col("process", "Process key"),
      col("name", "process name (executable basename)"),
      col("exe", "executable path, or null when unreadable"),
      col("user", "user the process runs as, or null"),
      col("listens", 'listening endpoints, "proto/address:port" ("[v6]:port" for IPv6)'),
    ],
    order: "host, system, name, process",
  },
  {
    name: "host-dependencies",
    description:
      "Service dependencies of a host both ways: services it uses and clients that use its services",
    params: [{ ...HOST_PARAM, required: true }],
    columns: [
      col("direction", '"uses" (the host is the client) or "used-by" (the host serves)'),
      col("system", "the host's System key"),
      col("process", "the host's Process key"),
      col("process_name", "the host's process name"),
      col("proto", "tcp or udp"),
      col("port", "server port"),
      col("peer_system", "the other System's key"),
      col("peer_host", "the other System's name"),
      col("peer_process", "the other Process key"),
      col("peer_process_name", "the other process name"),
    ],
    order:
      "direction, process_name, proto, port, peer_host, peer_process_name, process, peer_process",
  },
  {
    name: "host-links",
    description:
      "Service dependencies between hosts, for many hosts at once: among the first N active hosts (in the order of the systems query), each service one of them uses on another",
    params: [
      {
        name: "hosts",
        type: "integer",
        min: 1,
        max: 10_000,
        required: true,
        description:
          "how many active hosts, in name then key order: links whose two ends are both among them",
      },
    ],
    columns: [
      col("system", "the client host's System key"),
      col("host", "its name"),
      col("process", "the client Process key"),
      col("process_name", "the client process name"),
      col("proto", "tcp or udp"),
      col("port", "server port"),
      col("peer_system", "the serving host's System key (never the client's own)"),
      col("peer_host", "its name"),
      col("peer_process", "the serving Process key"),
      col("peer_process_name", "the serving process name"),
    ],
    order:
      "host, system, process_name, proto, port, peer_host, peer_process_name, process, peer_process",
  },
  {
    name: "dependency-tree",
    description:
      "The transitive dependency tree of a service: what it uses (or what uses it), level by level",
    params: [
      {
        name: "process",
        type: "string",
        maxLength: 512,
        description: "Process key of the service",
      },
      {
        ...HOST_PARAM,
        description: `with port: the service listening there (${HOST_PARAM.description})`,
      },
      {
        name: "port",
        type: "integer",
        min: 1,
        max: 65535,
        description: "with host: listening port",
      },
      {
        name: "proto",
        type: "enum",
        values: ["tcp", "udp"],
        default: "tcp",
        description: "with host and port",
      },
      {
        name: "depth",
        type: "integer",
        min: 1,
        max: 20,
        default: 5,
        description: "levels to follow",
      },
      {
        name: "direction",
        type: "enum",
        values: ["uses", "used-by"],
        default: "uses",
        description: '"uses": what the service needs; "used-by": what needs it',
      },
    ],
    columns: [
      col("depth", "1 for the service's direct dependencies, 2 for theirs, ..."),
      col(
        "from_process",
        "Process key on the near side of the edge (a dependant when direction is uses)",
      ),
      col("from_name", "its process name"),
      col("from_host", "its System's name"),
      col("to_process", "Process key on the far side"),
      col("to_name", "its process name"),
      col("to_host", "its System's name"),
      col("proto", "tcp or udp"),
      col("port", "server port"),
    ],
    order: "depth, from_host, from_name, to_host, to_name, proto, port, from_process, to_process",
    check: (p) => {
      const byProcess = p.process !== undefined;
      const byPort = p.host !== undefined || p.port !== undefined;
      if (byProcess && byPort) return "give either process, or host and port, not both";
      if (!byProcess && (p.host === undefined || p.port === undefined)) {
        return "give process, or host and port";
      }
      return null;
    },
  },
  {
    name: "find-ip",
    description: "Who has an IP address, and who sees it as an ARP/NDP neighbour",
    params: [{ name: "ip", type: "ip", required: true, description: "IPv4 or IPv6 address" }],
    columns: [
      col("ip", "canonical address"),
      col("relation", '"assigned" (a NIC has it) or "arp-neighbour" (a system resolved it)'),
      col("system", "System key"),
      col("host", "System name"),
      col("interface", "the NIC's name, or the interface the neighbour was seen on"),
      col("mac", "the NIC's MAC, or the MAC the neighbour resolved to"),
      col("prefix_len", "prefix length when assigned, else null"),
      col("gone_since", "when that relation was retired, or null"),
    ],
    order: "relation, host, system, interface",
  },
  {
    name: "find-mac",
    description: "Which NICs have a MAC address, and which IPs neighbours resolved to it",
    params: [{ name: "mac", type: "mac", required: true, description: "MAC (: - or . separated)" }],
    columns: [
      col("mac", "canonical MAC"),
      col("relation", '"nic" (a system has a NIC with it) or "arp-neighbour"'),
      col("system", "System key"),
      col("host", "System name"),
      col("interface", "NIC name, or interface the neighbour was seen on"),
      col("nic", "NIC key, or null for neighbours"),
      col("ips", "active addresses of the NIC, or the neighbour IP"),
      col("gone_since", "when that relation was retired, or null"),
    ],
    order: "relation, host, system, interface",
  },
  {
    name: "switch-ports",
    description: "Which host NIC sits on which switch port (WIRED_TO)",
    params: [
      { ...HOST_PARAM, description: `only these hosts: ${HOST_PARAM.description}` },
      {
        name: "switch",
        type: "string",
        maxLength: 512,
        description: "only this switch: key, chassis id or name",
      },
    ],
    columns: [
      col("host", "host System name"),
      col("system", "host System key"),
      col("interface", "host NIC name"),
      col("mac", "host NIC MAC"),
      col("switch", "switch name (or chassis id when it announces no name)"),
      col("switch_key", "switch System key"),
      col("port_id", "port id as announced"),
      col("port_description", "port description, or null"),
      col("vlan_id", "port VLAN, or null"),
    ],
    order: "host, system, interface, switch, port_id",
  },
  {
    name: "ownerless-ips",
    description:
      "Addresses that connections go to or ARP sees, which no known system owns: the systems nobody watches",
    params: [],
    columns: [
      col("ip", "canonical address"),
      col("ports", 'ports connected to, "proto/port"'),
      col("clients", "System keys with processes connecting to it"),
      col("macs", "MACs it resolved to in ARP/NDP caches"),
      col("seen_by", "System keys that have it as ARP/NDP neighbour"),
    ],
    order: "ip",
  },
  {
    name: "packages",
    description:
      "Installed packages by exact name or by name prefix, with the systems that have them",
    params: [
      { name: "name", type: "string", maxLength: 200, description: "exact package name" },
      { name: "prefix", type: "string", maxLength: 200, description: "package name prefix" },
    ],
    columns: [
      col("name", "package name"),
      col("version", "version"),
      col("arch", "architecture, or null"),
      col("manager", "dpkg or rpm"),
      col("system", "System key"),
      col("host", "System name"),
    ],
    order: "name, version, arch, host, system",
    check: (p) =>
      (p.name === undefined) === (p.prefix === undefined)
        ? "give exactly one of name and prefix"
        : null,
  },
  {
    name: "node-counts",
    description: "How many nodes of each label are stored, active and retired",
    params: [],
    columns: [
      col("label", "node label"),
      col("active", "nodes with gone_since null"),
      col("retired", "nodes with gone_since set"),
    ],
    order: "label",
  },
];

export function queryNames(): string[] {
  return QUERIES.map((q) => q.name);
}

export function findQuery(name: string): QueryDefinition | undefined {
  return QUERIES.find((q) => q.name === name);
}
