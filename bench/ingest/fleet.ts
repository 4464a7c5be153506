/**
 * A synthetic fleet as real discovery documents (os, netconfig, tcpdiscovery),
 * schema-valid, for the ingest benchmark. Host n of N has:
 *   - 4 NICs (eth0..eth3, universally administered MACs) and 6 addresses:
 *     eth0 and eth1 an IPv4 and an IPv6 each, eth2 and eth3 an IPv4 each;
 *   - 40 processes, of which the first 30 each listen on one well-known port
 *     (a third on 0.0.0.0, a third on ::, a third on eth0's IPv4 only);
 *   - 200 client connections, 5 per process, to listeners of other hosts of
 *     the fleet, addressed the way the listener accepts them (one of the
 *     target's IPv4s for 0.0.0.0, an IPv6 for ::, eth0's IPv4 otherwise).
 * Every connection matches exactly one listener, so after ingesting the whole
 * fleet the expected dependencies are known (expectedDependencies()).
 */
import ipaddr from "ipaddr.js";
import type { DiscoveryDocument } from "../../protocol/discovery-document.js";

export const NICS_PER_HOST = 4;
export const IPS_PER_HOST = 6;
export const PROCESSES_PER_HOST = 40;
export const LISTENERS_PER_HOST = 30;
export const CLIENTS_PER_HOST = 200;

type Proto = "tcp" | "udp";

interface Service {
  exe: string;
  argv: string[];
  user: string;
  proto: Proto;
  port: number;
}

const svc = (exe: string, args: string[], user: string, proto: Proto, port: number): Service => ({
  exe,
  argv: [exe, ...args],
  user,
  proto,
  port,
});

/** The 30 listening services every host runs, then 10 processes that are only clients. */
const PROCESSES: readonly Service[] = [
  svc("/usr/sbin/sshd", ["-D"], "root", "tcp", 22),
  svc("/usr/sbin/nginx", ["-g", "daemon off;"], "www-data", "tcp", 80),
  svc("/usr/sbin/haproxy", ["-f", "/etc/haproxy/haproxy.cfg"], "haproxy", "tcp", 443),
  svc("/usr/lib/postfix/sbin/master", ["-w"], "root", "tcp", 25),
  svc("/usr/sbin/named", ["-u", "bind"], "bind", "udp", 53),
  svc("/usr/sbin/chronyd", ["-F", "1"], "_chrony", "udp", 123),
  svc("/usr/sbin/snmpd", ["-LOw", "-f"], "Debian-snmp", "udp", 161),
  svc("/usr/sbin/rsyslogd", ["-n", "-iNONE"], "root", "udp", 514),
  svc("/usr/sbin/slapd", ["-h", "ldap:///"], "openldap", "tcp", 389),
  svc("/usr/sbin/mysqld", [], "mysql", "tcp", 3306),
  svc(
    "/usr/lib/postgresql/15/bin/postgres",
    ["-D", "/var/lib/postgresql/15/main"],
    "postgres",
    "tcp",
    5432,
  ),
  svc("/usr/bin/redis-server", ["*:6379"], "redis", "tcp", 6379),
  svc("/usr/bin/memcached", ["-m", "64", "-p", "11211"], "memcache", "tcp", 11211),
  svc("/usr/bin/mongod", ["--config", "/etc/mongod.conf"], "mongodb", "tcp", 27017),
  svc(
    "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
    ["-jar", "/opt/tomcat/bootstrap.jar"],
    "tomcat",
    "tcp",
    8080,
  ),
  svc(
    "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
    ["-jar", "/usr/share/jenkins/jenkins.war"],
    "jenkins",
    "tcp",
    8443,
  ),
  svc("/usr/bin/prometheus-node-exporter", [], "prometheus", "tcp", 9100),
  svc(
    "/usr/bin/prometheus",
    ["--config.file=/etc/prometheus/prometheus.yml"],
    "prometheus",
    "tcp",
    9090,
  ),
  svc("/usr/sbin/grafana-server", ["--homepath=/usr/share/grafana"], "grafana", "tcp", 3000),
  svc("/usr/bin/etcd", ["--data-dir", "/var/lib/etcd"], "etcd", "tcp", 2379),
  svc("/usr/bin/consul", ["agent", "-config-dir=/etc/consul.d"], "consul", "tcp", 8500),
  svc("/usr/bin/vault", ["server", "-config=/etc/vault.d"], "vault", "tcp", 8200),
  svc(
    "/usr/lib/erlang/erts-13.1.5/bin/beam.smp",
    ["-W", "w", "--", "-root", "/usr/lib/erlang"],
    "rabbitmq",
    "tcp",
    5672,
  ),
  svc(
    "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
    ["kafka.Kafka", "/etc/kafka/server.properties"],
    "kafka",
    "tcp",
    9092,
  ),
  svc(
    "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
    ["org.apache.zookeeper.server.quorum.QuorumPeerMain", "/etc/zookeeper/zoo.cfg"],
    "zookeeper",
    "tcp",
    2181,
  ),
  svc(
    "/usr/share/elasticsearch/jdk/bin/java",
    ["org.elasticsearch.bootstrap.Elasticsearch"],
    "elasticsearch",
    "tcp",
    9200,
  ),
  svc("/usr/sbin/dovecot", ["-F"], "root", "tcp", 993),
  svc("/usr/sbin/smbd", ["--foreground", "--no-process-group"], "root", "tcp", 445),
  svc("/usr/sbin/rpcbind", ["-f", "-w"], "_rpc", "tcp", 111),
  svc("/usr/sbin/zabbix_agentd", ["-f"], "zabbix", "tcp", 10050),
  svc("/usr/sbin/cron", ["-f"], "root", "tcp", 0),
  svc("/usr/bin/python3.11", ["/opt/app/worker.py", "--queue", "orders"], "app", "tcp", 0),
  svc("/usr/bin/python3.11", ["/opt/app/worker.py", "--queue", "mail"], "app", "tcp", 0),
  svc("/usr/bin/filebeat", ["-c", "/etc/filebeat/filebeat.yml"], "root", "tcp", 0),
  svc("/usr/bin/telegraf", ["-config", "/etc/telegraf/telegraf.conf"], "telegraf", "tcp", 0),
  svc(
    "/opt/puppetlabs/puppet/bin/ruby",
    ["/opt/puppetlabs/puppet/bin/puppet", "agent"],
    "root",
    "tcp",
    0,
  ),
  svc("/usr/bin/restic", ["backup", "/srv"], "backup", "tcp", 0),
  svc("/usr/sbin/nscd", [], "root", "tcp", 0),
  svc("/usr/bin/node", ["/opt/api/server.js"], "api", "tcp", 0),
  svc("/usr/bin/ruby3.1", ["/opt/sidekiq/bin/sidekiq"], "app", "tcp", 0),
];

if (PROCESSES.length !== PROCESSES_PER_HOST) throw new Error("the process table must have 40 rows");

type ListenKind = "any4" | "any6" | "eth0";
const listenKind = (service: number): ListenKind =>
  (["any4", "any6", "eth0"] as const)[service % 3] as ListenKind;

/** Host n's addresses: four IPv4s (eth0..eth3) and two IPv6s (eth0, eth1), canonical. */
export function hostAddresses(n: number): { v4: string[]; v6: string[] } {
  const k = n + 1; // never .0.0.0
  const b = [(k >> 16) & 255, (k >> 8) & 255, k & 255];
  const hi = (k >> 16).toString(16);
  const lo = (k & 0xffff).toString(16);
  return {
    v4: [
      `10.${b.join(".")}`,
      `172.${16 + ((k >> 16) & 15)}.${b[1]}.${b[2]}`,
      `100.64.${b[1]}.${b[2]}`,
      `100.96.${b[1]}.${b[2]}`,
    ],
    v6: [`2001:db8:${hi}:${lo}::10`, `fd00:0:0:0:${hi}:${lo}:0:10`].map((a) =>
      ipaddr.parse(a).toString(),
    ),
  };
}

/** A universally administered unicast MAC, distinct per (host, NIC). */
function mac(n: number, nic: number): string {
  const v = n * NICS_PER_HOST + nic;
  const bytes = [0x0c, 0xc4, 0x7a, (v >> 16) & 255, (v >> 8) & 255, v & 255];
  return bytes.map((x) => x.toString(16).padStart(2, "0")).join(":");
}

export const machineId = (n: number) => `5eed${n.toString(16).padStart(28, "0")}`;
export const hostName = (n: number) => `host${String(n).padStart(5, "0")}`;

/** One client connection: which of this host's processes, to which host's service, at which address. */
export interface Connection {
  process: number;
  host: number;
  service: number;
  addr: string;
}

/**
 * Host n's 200 connections. Connection j goes to service j % 30 on host
 * n + 1 + round + service * STRIDE (mod N), round = floor(j / 30): for N > 7
 * no two connections of one process reach the same listener.
 */
export function connections(n: number, hosts: number): Connection[] {
  const STRIDE = 7919;
  const out: Connection[] = [];
  if (hosts < 2) return out;
  for (let j = 0; j < CLIENTS_PER_HOST; j++) {
    const service = j % LISTENERS_PER_HOST;
    const round = Math.floor(j / LISTENERS_PER_HOST);
    let target = (n + 1 + round + service * STRIDE) % hosts;
    if (target === n) target = (target + 1) % hosts;
    const addresses = hostAddresses(target);
    const kind = listenKind(service);
    const addr =
      kind === "any4"
        ? (addresses.v4[round % 4] as string)
        : kind === "any6"
          ? (addresses.v6[round % 2] as string)
          : (addresses.v4[0] as string);
    out.push({ process: j % PROCESSES_PER_HOST, host: target, service, addr });
  }
  return out;
}

const envelope = (
  n: number,
  discovertype: string,
  at: string,
  data: unknown,
): DiscoveryDocument => ({
  discovertype,
  description: `${discovertype} of ${hostName(n)} (synthetic)`,
  host: hostName(n),
  machine_id: machineId(n),
  source: "bench/ingest",
  proxy: "local/local",
  collected_at: at,
  data,
  errors: [],
});

function osDocument(n: number, at: string): DiscoveryDocument {
  return envelope(n, "os", at, {
    hostname: hostName(n),
    fqdn: `${hostName(n)}.bench.example.net`,
    nis_domain: null,
    machine_id: machineId(n),
    os_release: {
      PRETTY_NAME: "Debian GNU/Linux 12 (bookworm)",
      NAME: "Debian GNU/Linux",
      ID: "debian",
      VERSION_ID: "12",
      VERSION_CODENAME: "bookworm",
    },
    kernel: {
      name: "Linux",
      release: "6.1.0-18-amd64",
      version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1",
    },
    architecture: "x86_64",
    boot_time: "2026-02-27T08:00:00Z",
    boot_time_epoch: 1803801600,
    memory_total_bytes: 68719476736,
    timezone: "Etc/UTC",
    virtualization: { hypervisor: null, container: null, evidence: [] },
    dmi: {
      sys_vendor: "Supermicro",
      product_name: "SYS-1029P-WTR",
      product_serial: `S${String(n).padStart(9, "0")}`,
      bios_vendor: "American Megatrends Inc.",
      bios_version: "3.4",
    },
  });
}

function netconfigDocument(n: number, at: string): DiscoveryDocument {
  const { v4, v6 } = hostAddresses(n);
  const prefixes = [8, 12, 16, 16];
  const data: Record<string, unknown> = {};
  for (let i = 0; i < NICS_PER_HOST; i++) {
    const name = `eth${i}`;
    const ipaddrs: Record<string, unknown> = {
      [`${v4[i]}/${prefixes[i]}`]: { brd: null, scope: "global", name, peer: null, dynamic: false },
    };
    if (i < 2) {
      ipaddrs[`${v6[i]}/64`] = { brd: null, scope: "global", name, peer: null, dynamic: false };
    }
    data[name] = {
      ifindex: i + 2,
      address: mac(n, i),
      permanent_address: null,
      vendor: "Super Micro Computer, Inc.",
      carrier: true,
      duplex: "full",
      mtu: i === 2 ? 9000 : 1500,
      operstate: "up",
      admin_up: true,
      speed: 10000,
      type: "ether",
      kind: null,
      virtual: false,
      driver: "ixgbe",
      bus: "pci",
      bus_id: `0000:0${i + 1}:00.0`,
      altnames: [`enp${i + 1}s0`],
      alias: null,
      link: null,
      vlan_id: null,
      master: null,
      members: [],
      bond: null,
      default_gw: i === 0,
      default_gateways: i === 0 ? ["10.0.0.1"] : [],
      ipaddrs,
    };
  }
  return envelope(n, "netconfig", at, data);
}

function tcpdiscoveryDocument(n: number, hosts: number, at: string): DiscoveryDocument {
  const { v4 } = hostAddresses(n);
  const groups = PROCESSES.map((service, p) => {
    const listen =
      p < LISTENERS_PER_HOST
        ? [
            {
              proto: service.proto,
              addr: { any4: "0.0.0.0", any6: "::", eth0: v4[0] as string }[listenKind(p)],
              port: service.port,
            },
          ]
        : [];
    return {
      exe: service.exe,
      exe_deleted: false,
      cmdline: service.argv,
      pids: [1000 + p * 7],
      uid: 100 + p,
      gid: 100 + p,
      user: service.user,
      group: service.user,
      cwd: "/",
      listen,
      clients: [] as { proto: Proto; addr: string; port: number }[],
    };
  });
  for (const c of connections(n, hosts)) {
    const target = PROCESSES[c.service] as Service;
    groups[c.process]?.clients.push({ proto: target.proto, addr: c.addr, port: target.port });
  }
  const data: Record<string, unknown> = {};
  groups.forEach((group, p) => {
    const command = (group.exe.split("/").pop() as string).slice(0, 15);
    data[`${command}:${p.toString(16).padStart(12, "0")}`] = group;
  });
  return envelope(n, "tcpdiscovery", at, data);
}

/** Host n's documents, in the order a probe sends them. */
export function hostDocuments(n: number, hosts: number, at: string): DiscoveryDocument[] {
  return [osDocument(n, at), netconfigDocument(n, at), tcpdiscoveryDocument(n, hosts, at)];
}

/** Process-level (client process, server process, port) and host-level (client, server) pairs. */
export function expectedDependencies(hosts: number): { processes: number; systems: number } {
  const processLevel = new Set<string>();
  let systems = 0;
  for (let n = 0; n < hosts; n++) {
    const targets = new Set<number>();
    for (const c of connections(n, hosts)) {
      processLevel.add(`${n}/${c.process}>${c.host}/${c.service}`);
      targets.add(c.host);
    }
    systems += targets.size;
  }
  return { processes: processLevel.size, systems };
}
