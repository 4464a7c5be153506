/**
 * Test support: a world of hostile values. Discovery documents whose
 * hostnames, process names, argv and LLDP strings are full of newlines, `;`,
 * `}`, `$`, `{{` and leading `= + - @`, monitors whose rule, plugin and
 * parameters are too, and the check that no directive or object of theirs
 * made it into our Nagios objects.
 */
import { expect } from "vitest";
import {
  AT,
  copy,
  fixtureDocuments,
  ingestAll,
  switchDocument,
} from "../../cma/graph/contract/support.js";
import { hostSystemKey } from "../../cma/graph/keys.js";
import type { GraphStore } from "../../cma/graph/store.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";
import type { DiscoveryDocument } from "../../protocol/discovery-document.js";
import { ingestMonitoredWorld, storeMonitors } from "./support.js";
import type { ParsedObject } from "./verify.js";

/** What an attacker would like to see as a line of its own in our output. */
const INJECTED = "check_command evil";
const BREAKOUT = `x\n}\ndefine command {\ncommand_name pwned\ncommand_line /bin/sh -c id\n}\ndefine host {\n${INJECTED}`;
export const HOSTILE = [
  BREAKOUT,
  "a;b} $USER1$ $(id) `id` {{evil}} \\",
  "=cmd|' /C calc'!A0",
  "+1;@SUM(A1)",
  "-H 127.0.0.1",
  "@host\r\n\tnotes evil\u2028address 6.6.6.6",
  "trailing backslash\\",
];

const EVIL_MACHINE = ["d4", "e5", "f6", "a7", "b8", "c9", "da"].map((p) => p.repeat(16));

type Data = Record<string, unknown>;

/** web1's documents for another machine, its names and processes replaced by hostile ones. */
function hostileHost(index: number): DiscoveryDocument[] {
  const machine = EVIL_MACHINE[index] as string;
  const name = HOSTILE[index] as string;
  return fixtureDocuments("web1").map((original) => {
    const doc = copy(original, AT);
    doc.machine_id = machine;
    doc.host = name;
    const data = doc.data as Data;
    if (doc.discovertype === "os") {
      data.machine_id = machine;
      data.hostname = name;
      data.fqdn = null;
      (data.os_release as Data).ID = name;
      (data.os_release as Data).NAME = name;
    }
    if (doc.discovertype === "tcpdiscovery") {
      const nginx = data["nginx:0a1b2c3d4e5f"] as Data;
      nginx.exe = `/usr/sbin/${name}`;
      nginx.cmdline = [name, ...HOSTILE];
    }
    return doc;
  });
}

function hostileSwitch(): DiscoveryDocument {
  const doc = copy(switchDocument(), AT);
  const text = JSON.stringify(doc.data)
    .replace('"sw1.example.net"', JSON.stringify(BREAKOUT))
    .replace('"Example switch OS 1.2"', JSON.stringify(HOSTILE[1]))
    .replace('"web1 eth0"', JSON.stringify(HOSTILE[5]));
  doc.data = JSON.parse(text);
  return doc;
}

/** The directives each object type of ours may carry; anything else is an injection. */
const ALLOWED: Record<string, string[]> = {
  timeperiod: [
    "timeperiod_name",
    "alias",
    ...["mon", "tues", "wednes", "thurs", "fri", "satur", "sun"].map((d) => `${d}day`),
  ],
  host: [
    "name",
    "use",
    "register",
    "host_name",
    "alias",
    "address",
    "parents",
    "hostgroups",
    "notes",
    "_ASSIM_ID",
    "check_command",
    "max_check_attempts",
    "check_interval",
    "retry_interval",
    "check_period",
    "notification_period",
    "notification_interval",
    "notification_options",
    "contact_groups",
  ],
  service: [
    "name",
    "use",
    "register",
    "host_name",
    "service_description",
    "check_command",
    "notes",
    "_ASSIM_ID",
    "max_check_attempts",
    "check_interval",
    "retry_interval",
    "check_period",
    "notification_period",
    "notification_interval",
    "notification_options",
    "contact_groups",
    "active_checks_enabled",
    "passive_checks_enabled",
    "check_freshness",
  ],
  command: ["command_name", "command_line"],
  contact: [
    "contact_name",
    "alias",
    "host_notifications_enabled",
    "service_notifications_enabled",
    "host_notification_period",
    "service_notification_period",
    "host_notification_options",
    "service_notification_options",
    "host_notification_commands",
    "service_notification_commands",
  ],
  contactgroup: ["contactgroup_name", "alias", "members"],
  hostgroup: ["hostgroup_name", "alias", "members"],
  servicedependency: [
    "host_name",
    "service_description",
    "dependent_host_name",
    "dependent_service_description",
    "execution_failure_criteria",
    "notification_failure_criteria",
  ],
};

export function checkObjects(objects: ParsedObject[]): void {
  for (const object of objects) {
    expect(Object.keys(ALLOWED), `object type ${object.type}`).toContain(object.type);
    const keys = object.directives.map(([k]) => k);
    expect(new Set(keys).size, `a directive twice in ${JSON.stringify(object)}`).toBe(keys.length);
    for (const key of keys) {
      expect(ALLOWED[object.type], `directive ${key} in a ${object.type}`).toContain(key);
    }
    for (const [key, value] of object.directives) {
      // Values: one line, no macro but ours, no comment, no continuation.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: what must never appear
      expect(value).not.toMatch(/[\u0000-\u001f\u007f\u2028\u2029`]|\\$/);
      expect(value.replace(/\\;/g, "")).not.toContain(";");
      if (key !== "command_line" && key !== "check_command") expect(value).not.toContain("$");
      if (key === "check_command") {
        expect(value.replace(/\$HOSTADDRESS\$/g, "")).not.toContain("$");
      }
    }
  }
  const commands = objects.filter((o) => o.type === "command").map((o) => o.directives[0]?.[1]);
  expect(commands.every((name) => /^assim_[a-z0-9_]+$/.test(name ?? ""))).toBe(true);
}

/** The monitored fixture world plus the hostile hosts, switch and monitors. */
export async function ingestHostileWorld(store: GraphStore): Promise<void> {
  await ingestMonitoredWorld(store);
  for (let i = 0; i < HOSTILE.length; i++) await ingestAll(store, hostileHost(i));
  await ingestDocument(store, hostileSwitch());
  // Monitors whose rule, plugin and parameters come from hostile text.
  const snapshot = await store.snapshot();
  for (let i = 0; i < HOSTILE.length; i++) {
    const hostile = HOSTILE[i] as string;
    const system = hostSystemKey(EVIL_MACHINE[i] as string);
    // nginx, under its hostile name.
    const evil = snapshot.relationships
      .filter((r) => r.type === "RUNS" && r.from.key === system)
      .map((r) => snapshot.nodes.find((n) => n.key === r.to.key)?.props)
      .find((p) => p?.exe === `/usr/sbin/${hostile}`)?.name;
    await storeMonitors(store, system, [
      ["redis-server", hostile, "ocf", "redis", [`port=${hostile}`]],
      [
        evil as string,
        `rule-${i}`,
        "nagios",
        i % 2 === 0 ? "check_tcp" : hostile,
        ["H=0.0.0.0", `p=${hostile}`],
      ],
      ["python3.11", `${hostile}-http`, "nagios", "check_http", ["H=0.0.0.0", "p=8000", "u=/ok"]],
    ]);
  }
}
