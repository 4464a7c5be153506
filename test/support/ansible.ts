/**
 * The real `ansible-inventory` (Debian ansible-core) as the judge of our
 * inventories: one plugin enabled at a time, any source it cannot parse is a
 * failure, and the caller also requires an empty stderr (structural problems
 * are only warnings, with exit code 0).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AT, copy, fixtureDocument, switchDocument } from "../../cma/graph/contract/support.js";
import type { DiscoveryDocument } from "../../protocol/discovery-document.js";

export const ANSIBLE_INVENTORY = "/usr/bin/ansible-inventory";

/** Why the ansible tests cannot run here, or "" when they can. */
export const ansibleSkip = existsSync(ANSIBLE_INVENTORY)
  ? ""
  : `${ANSIBLE_INVENTORY} is missing (Debian package ansible-core)`;

/**
 * Runs `command` with a private home for Ansible (no user or system
 * ansible.cfg, temporary files there), removed afterwards.
 */
function withAnsibleHome(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  plugin: "yaml" | "script",
): AnsibleRun {
  const home = mkdtempSync(join(tmpdir(), "assim-ansible-home-"));
  try {
    const config = join(home, "ansible.cfg");
    writeFileSync(config, "");
    const result = spawnSync(command, args, {
      encoding: "utf8",
      env: { ...ansibleEnv(home, config, plugin), ...env },
      timeout: 120_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function ansibleEnv(home: string, config: string, plugin: "yaml" | "script"): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: join(home, "tmp"),
    ANSIBLE_NOCOLOR: "1",
    ANSIBLE_INVENTORY_ENABLED: plugin,
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: "true",
    ANSIBLE_INVENTORY_UNPARSED_FAILED: "true",
  };
}

export interface AnsibleRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `ansible-inventory -i SOURCE ARGS…` with only `plugin` enabled. */
export function ansibleInventory(
  source: string,
  plugin: "yaml" | "script",
  args: string[] = ["--list"],
  env: NodeJS.ProcessEnv = {},
): AnsibleRun {
  return withAnsibleHome(ANSIBLE_INVENTORY, ["-i", source, ...args], env, plugin);
}

/** `ansible` ad hoc (the debug module runs on the controller: no connection is made). */
export function ansibleAdHoc(
  source: string,
  plugin: "yaml" | "script",
  args: string[],
  env: NodeJS.ProcessEnv = {},
): AnsibleRun {
  return withAnsibleHome(
    "/usr/bin/ansible",
    ["-i", source, ...args],
    { ANSIBLE_GATHERING: "explicit", ...env },
    plugin,
  );
}

/** Group → its hosts (sorted) from `--list` JSON, without `all` and `ungrouped`. */
export function listedGroups(list: Record<string, unknown>): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(list)) {
    if (name === "_meta" || name === "all" || name === "ungrouped") continue;
    const hosts = (value as { hosts?: string[] }).hosts ?? [];
    groups[name] = [...hosts].sort();
  }
  return Object.fromEntries(Object.entries(groups).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Values a discovered host could send to break out of an inventory (and their neighbours). */
export const HOSTILE = {
  hostname: "{{ lookup('pipe', 'id') }}\n[all:vars]\nansible_become: true",
  envelopeHost: "evil;\n}$x",
  osId: "$;}",
  osVersion: "12\n- injected: true",
  cpuModel: "{% for x in range(9) %}{{ x }}{% endfor %} # not a comment",
  nic: "e{{0}};}$",
  process: "{{ 7*7 }};\n}: x",
  exe: "/tmp/= + - @{%x%}&*|!",
  argv: ["-e", "{{ lookup('env', 'HOME') }}", "x\ny: z", "'; DROP TABLE hosts; --"],
  user: "@root",
  switchName: "=cmd|' /C calc'!A0\n{{ x }}",
  chassisId: "{{ chassis }}",
  portId: "Gi1/0/1;}\n$x {#",
  portDescription: "{% if true %}x{% endif %}\u2028\u0085\u007f",
} as const;

export const HOSTILE_MACHINE = "e5".repeat(16);

type Data = Record<string, unknown>;
const dataOf = (doc: DiscoveryDocument) => doc.data as Data;

/**
 * A host that sends HOSTILE values everywhere it can: hostname, OS, CPU, a
 * NIC name, a listening process (name, exe, argv, user) and an LLDP neighbour
 * (chassis, port). Ingest it beside the fixture world (it reuses web1's
 * documents with its own machine id, MAC and address 10.0.0.66).
 */
export function hostileDocuments(): DiscoveryDocument[] {
  const mine = (doc: DiscoveryDocument) => {
    const clone = copy(doc, AT);
    clone.machine_id = HOSTILE_MACHINE;
    clone.host = HOSTILE.envelopeHost;
    return clone;
  };
  const os = mine(fixtureDocument("web1", "os"));
  Object.assign(dataOf(os), { hostname: HOSTILE.hostname, machine_id: HOSTILE_MACHINE });
  Object.assign(dataOf(os).os_release as Data, { ID: HOSTILE.osId, VERSION_ID: HOSTILE.osVersion });
  const cpu = mine(fixtureDocument("web1", "cpu"));
  dataOf(cpu).model_name = HOSTILE.cpuModel;
  const net = mine(fixtureDocument("web1", "netconfig"));
  const eth0 = dataOf(net).eth0 as Data;
  const [address, props] = Object.entries(eth0.ipaddrs as Data)[0] as [string, Data];
  net.data = {
    lo: dataOf(net).lo,
    [HOSTILE.nic]: {
      ...eth0,
      address: "0c:c4:7a:00:00:66",
      ipaddrs: { [address.replace(/^10\.0\.0\.10\//, "10.0.0.66/")]: { ...props, brd: null } },
    },
  };
  const tcp = mine(fixtureDocument("web1", "tcpdiscovery"));
  const nginx = dataOf(tcp)["nginx:0a1b2c3d4e5f"] as Data;
  tcp.data = {
    [`${HOSTILE.process}:abcdefabcdef`]: {
      ...nginx,
      exe: HOSTILE.exe,
      cmdline: [...HOSTILE.argv],
      user: HOSTILE.user,
      clients: [],
    },
  };
  const sw = mine(switchDocument());
  const interfaces = dataOf(sw).interfaces as Record<string, { neighbours: Data[] }>;
  const neighbour = structuredClone(interfaces.eth0?.neighbours[0]) as Data;
  Object.assign(neighbour.chassis as Data, {
    id: HOSTILE.chassisId,
    id_subtype: "local",
    name: HOSTILE.switchName,
  });
  Object.assign(neighbour.port as Data, {
    id: HOSTILE.portId,
    id_subtype: "local",
    description: HOSTILE.portDescription,
  });
  const capture = dataOf(sw).capture as { interfaces: Data };
  dataOf(sw).interfaces = { [HOSTILE.nic]: { neighbours: [neighbour] } };
  capture.interfaces = { [HOSTILE.nic]: capture.interfaces.eth0 };
  return [os, cpu, net, tcp, sw];
}
