/**
 * Service roles: which inventory role group (web, database, cache, dns…) a
 * listening service puts its host in. Decided, in this order, by the monitor
 * rule the CMA chose for it, by its executable's basename, then by its lowest
 * listening port. Every role name is a valid group name.
 */
import type { FieldObject } from "../records.js";

interface Role {
  /** Monitor rule names (cma/monitoring/rules/) that mean this role. */
  rules: readonly string[];
  /** Executable basenames, without a trailing version ("python3.11" → "python"). */
  exes: readonly string[];
  /** Well-known listening ports ("tcp/80"). */
  ports: readonly string[];
}

export const ROLES: Readonly<Record<string, Role>> = {
  web: {
    rules: ["nginx", "apache2"],
    exes: ["nginx", "apache", "httpd", "lighttpd", "caddy", "traefik", "envoy"],
    ports: ["tcp/80", "tcp/443", "tcp/8080", "tcp/8443"],
  },
  database: {
    rules: ["postgresql", "postgresql-tcp", "mysql", "mysql-tcp", "neo4j"],
    exes: ["postgres", "postmaster", "mysqld", "mariadbd", "mongod", "oracle", "sqlservr"],
    ports: ["tcp/5432", "tcp/3306", "tcp/27017", "tcp/1521", "tcp/1433", "tcp/7687"],
  },
  cache: {
    rules: ["redis"],
    exes: ["redis-server", "memcached", "varnishd", "valkey-server"],
    ports: ["tcp/6379", "tcp/11211"],
  },
  dns: {
    rules: ["bind"],
    exes: ["named", "unbound", "dnsmasq", "pdns_server", "pdns_recursor", "coredns"],
    ports: ["udp/53", "tcp/53"],
  },
  ntp: {
    rules: ["chrony", "ntpd"],
    exes: ["chronyd", "ntpd", "ntpsec"],
    ports: ["udp/123"],
  },
  ssh: { rules: ["sshd"], exes: ["sshd"], ports: ["tcp/22"] },
  ldap: { rules: [], exes: ["slapd"], ports: ["tcp/389", "tcp/636"] },
  mail: {
    rules: [],
    exes: ["master", "exim", "dovecot", "sendmail"],
    ports: ["tcp/25", "tcp/465", "tcp/587", "tcp/143", "tcp/993"],
  },
  monitoring: {
    rules: ["assim-daemons"],
    exes: ["nagios", "icinga", "prometheus", "zabbix_server", "zabbix_agentd", "nrpe"],
    ports: ["tcp/5666", "tcp/9090", "tcp/10050", "tcp/10051"],
  },
  queue: {
    rules: [],
    exes: ["rabbitmq-server", "mosquitto", "nats-server"],
    ports: ["tcp/5672", "tcp/9092", "tcp/1883", "tcp/4222"],
  },
  file: { rules: [], exes: ["smbd", "nfsd", "vsftpd"], ports: ["tcp/445", "tcp/2049"] },
  container: { rules: ["docker"], exes: ["dockerd", "containerd"], ports: [] },
};

export const ROLE_NAMES: readonly string[] = Object.keys(ROLES).sort();

/** "/usr/sbin/php-fpm8.2" → "php-fpm": the basename without a trailing version. */
export function exeKey(exe: string): string {
  const base = exe.slice(exe.lastIndexOf("/") + 1);
  return base.replace(/[\d.]+$/, "") || base;
}

/** "tcp/[::]:443" → {proto: "tcp", port: 443}; null when it does not parse. */
export function parseListen(listen: string): { proto: string; port: number } | null {
  const match = /^([a-z0-9]+)\/.*:(\d{1,5})$/.exec(listen);
  if (!match) return null;
  return { proto: match[1] as string, port: Number(match[2]) };
}

const byRule = new Map<string, string>();
const byExe = new Map<string, string>();
const byPort = new Map<string, string>();
for (const name of ROLE_NAMES) {
  const role = ROLES[name] as Role;
  for (const rule of role.rules) byRule.set(rule, name);
  for (const exe of role.exes) byExe.set(exe, name);
  for (const port of role.ports) byPort.set(port, name);
}

/** The role of a service record's fields, or null when nothing in the table fits. */
export function serviceRole(service: FieldObject): string | null {
  const monitor = service.monitor as FieldObject | null;
  const rule = typeof monitor?.rule === "string" ? byRule.get(monitor.rule) : undefined;
  if (rule && monitor?.class !== "nomon") return rule;
  const exe = typeof service.exe === "string" ? byExe.get(exeKey(service.exe)) : undefined;
  if (exe) return exe;
  const name = typeof service.name === "string" ? byExe.get(exeKey(service.name)) : undefined;
  if (name) return name;
  const ports = (Array.isArray(service.listen) ? service.listen : [])
    .map((l) => (typeof l === "string" ? parseListen(l) : null))
    .filter((l) => l !== null)
    .sort((a, b) => a.port - b.port);
  for (const { proto, port } of ports) {
    const role = byPort.get(`${proto}/${port}`);
    if (role) return role;
  }
  return null;
}
