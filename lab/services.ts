/**
 * The services the lab's hosts run, so that discovery, auto-monitoring and
 * the unmonitored report have real listeners to find: every host runs an
 * OpenSSH server (which the shipped sshd rule monitors), and h1 also runs a
 * Python web server that no rule covers (the unmonitored service).
 *
 * Each service is a plain daemon of the lab, started in its host's namespace
 * before the probes (so their first discovery sees it) and listed by
 * `lab status`; `lab kill h1/sshd` stops one to show a failure being reported.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive, logTail } from "./processes.js";
import type { DaemonRecord, LabState } from "./state.js";
import type { HostPlan } from "./topology.js";

export const SSHD = "/usr/sbin/sshd";
const SSH_KEYGEN = "/usr/bin/ssh-keygen";
export const SSH_PORT = 22;
export const WEB_PORT = 8080;
/** The toy database h1's web app uses; a port no shipped rule knows, so it stays unmonitored. */
export const DB_PORT = 5433;
/** OpenSSH's privilege separation directory; sshd refuses to start without it. */
const PRIVSEP_DIR = "/run/sshd";

export type LabServiceName = "sshd" | "web" | "db";

export interface LabServicePlan {
  /** "h1/sshd": the key of its daemon record. */
  key: string;
  host: string;
  name: LabServiceName;
  port: number;
  /** What it is, for `lab status`. */
  description: string;
  /** A port on another host this service keeps a connection to (the web app's database). */
  uses?: { host: string; port: number };
}

/**
 * sshd on every host; a web app on h1 that holds a connection to a toy database
 * on h2 (a service dependency across hosts); no rule monitors either.
 */
export function planServices(hosts: HostPlan[]): LabServicePlan[] {
  const plans: LabServicePlan[] = [];
  const db = hosts.find((host) => host.name === "h2");
  for (const host of hosts) {
    plans.push({
      key: `${host.name}/sshd`,
      host: host.name,
      name: "sshd",
      port: SSH_PORT,
      description: `OpenSSH on ${host.address}:${SSH_PORT}`,
    });
    if (host.name === "h1") {
      plans.push({
        key: `${host.name}/web`,
        host: host.name,
        name: "web",
        port: WEB_PORT,
        description: `python3 web app on ${host.address}:${WEB_PORT}${db ? `, using the database on ${db.address}:${DB_PORT}` : ""} (no rule monitors it)`,
        ...(db ? { uses: { host: db.name, port: DB_PORT } } : {}),
      });
    }
    if (host === db) {
      plans.push({
        key: `${host.name}/db`,
        host: host.name,
        name: "db",
        port: DB_PORT,
        description: `python3 toy database on ${host.address}:${DB_PORT} (no rule monitors it)`,
      });
    }
  }
  return plans;
}

/** Why the lab cannot run a service here, or undefined when it can. */
export function serviceUnavailable(name: LabServiceName): string | undefined {
  const needed = name === "sshd" ? [SSHD, SSH_KEYGEN] : ["python3"];
  for (const program of needed) {
    if (program.startsWith("/")) {
      try {
        accessSync(program, constants.X_OK);
      } catch {
        return `${program} is missing (Debian openssh-server)`;
      }
    } else if (spawnSync(program, ["--version"], { stdio: "ignore" }).status !== 0) {
      return `${program} is missing`;
    }
  }
  return undefined;
}

function serviceDir(state: LabState, plan: LabServicePlan): string {
  return join(state.dir, plan.host, plan.name);
}

/**
 * An sshd of its own for the host: its own host key and configuration in the
 * host's directory, listening on the host's address only, in the foreground
 * (-D) so the recorded pid is the daemon, logging to stderr (-e). Nobody logs
 * in: no passwords, no root, no authorized keys.
 */
function sshdCommand(dir: string, host: HostPlan): string[] {
  mkdirSync(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
  const key = join(dir, "ssh_host_ed25519_key");
  if (!existsSync(key)) {
    const made = spawnSync(
      SSH_KEYGEN,
      ["-q", "-t", "ed25519", "-N", "", "-C", host.name, "-f", key],
      {
        encoding: "utf8",
      },
    );
    if (made.status !== 0)
      throw new Error(`ssh-keygen for ${host.name} failed: ${made.stderr.trim()}`);
  }
  const config = join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `# The lab's sshd for ${host.name}, written by assim lab`,
      `ListenAddress ${host.address}:${SSH_PORT}`,
      `HostKey ${key}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "UsePAM no",
      "PermitRootLogin no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "AuthorizedKeysFile none",
      "",
    ].join("\n"),
    { mode: 0o644 },
  );
  return [SSHD, "-D", "-e", "-f", config];
}

/**
 * A static web server that, like a real web app, keeps a connection open to its
 * database (reconnecting every 2 s while the database is away).
 */
const WEB_APP = `import functools, http.server, socket, sys, threading, time
address, port, root, db = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
def use_database(host, db_port):
    while True:
        try:
            with socket.create_connection((host, int(db_port)), timeout=5) as connection:
                connection.settimeout(None)
                while connection.recv(1024):
                    pass
        except OSError:
            pass
        time.sleep(2)
if db:
    threading.Thread(target=use_database, args=db[0].rsplit(":", 1), daemon=True).start()
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
http.server.ThreadingHTTPServer((address, port), handler).serve_forever()
`;

/** Accepts connections and holds them open until the client leaves. */
const TOY_DB = `import socket, sys, threading
server = socket.create_server((sys.argv[1], int(sys.argv[2])))
def hold(connection):
    with connection:
        while connection.recv(1024):
            pass
while True:
    connection, _ = server.accept()
    threading.Thread(target=hold, args=(connection,), daemon=True).start()
`;

function webCommand(dir: string, host: HostPlan, db: HostPlan | undefined): string[] {
  const root = join(dir, "www");
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "index.html"), `<h1>${host.name}</h1>\n`);
  const script = join(dir, "webapp.py");
  writeFileSync(script, WEB_APP);
  return [
    "python3",
    script,
    host.address,
    String(WEB_PORT),
    root,
    ...(db ? [`${db.address}:${DB_PORT}`] : []),
  ];
}

function dbCommand(dir: string, host: HostPlan): string[] {
  const script = join(dir, "toydb.py");
  writeFileSync(script, TOY_DB);
  return ["python3", script, host.address, String(DB_PORT)];
}

function serviceCommand(state: LabState, plan: LabServicePlan, host: HostPlan): string[] {
  const dir = serviceDir(state, plan);
  switch (plan.name) {
    case "sshd":
      return sshdCommand(dir, host);
    case "web":
      return webCommand(
        dir,
        host,
        state.topology.hosts.find((h) => h.name === "h2"),
      );
    case "db":
      return dbCommand(dir, host);
  }
}

/** The daemon record that runs a service in its host's namespace (writes its files). */
export function serviceRecord(state: LabState, plan: LabServicePlan): DaemonRecord {
  const host = state.topology.hosts.find((h) => h.name === plan.host);
  if (!host) throw new Error(`no host ${plan.host} in the lab`);
  const dir = serviceDir(state, plan);
  mkdirSync(dir, { recursive: true });
  const program = serviceCommand(state, plan, host);
  return {
    kind: "service",
    ns: host.ns,
    command: ["netns", "exec", host.ns, ...program],
    log: join(dir, `${plan.name}.log`),
    pid: null,
    startedAt: null,
  };
}

/** Whether something in ns listens on TCP port (ss, inside the namespace). */
function listening(ns: string, port: number): boolean {
  const result = spawnSync("ip", ["netns", "exec", ns, "ss", "-Htln", `sport = :${port}`], {
    encoding: "utf8",
    timeout: 5000,
  });
  return result.status === 0 && result.stdout.trim() !== "";
}

/** Whether something in ns holds an established TCP connection to port (ss, inside the namespace). */
function connected(ns: string, port: number): boolean {
  const result = spawnSync(
    "ip",
    ["netns", "exec", ns, "ss", "-Htn", "state", "established", `dport = :${port}`],
    { encoding: "utf8", timeout: 5000 },
  );
  return result.status === 0 && result.stdout.trim() !== "";
}

/**
 * Waits (at most timeoutMs) until a service that uses another host's port is
 * connected to it, so the probes' first discovery sees the dependency.
 */
export async function waitForDependency(
  plan: LabServicePlan,
  record: DaemonRecord,
  timeoutMs = 15_000,
): Promise<void> {
  if (!plan.uses) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (connected(record.ns, plan.uses.port)) return;
    await sleep(100);
  }
  throw new Error(
    `${plan.key} did not connect to ${plan.uses.host}:${plan.uses.port} within ${timeoutMs} ms; ${record.log}:\n${logTail(record.log)}`,
  );
}

/** Waits (at most timeoutMs) until the service listens, so the probes' first discovery sees it. */
export async function waitForService(
  plan: LabServicePlan,
  record: DaemonRecord,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(record.pid)) {
      throw new Error(`${plan.key} exited at start; ${record.log}:\n${logTail(record.log)}`);
    }
    if (listening(record.ns, plan.port)) return;
    await sleep(100);
  }
  throw new Error(
    `${plan.key} did not listen on port ${plan.port} within ${timeoutMs} ms; ${record.log}:\n${logTail(record.log)}`,
  );
}
