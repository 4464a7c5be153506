/**
 * Live accuracy of tcpdiscovery: child processes open loopback servers (TCP
 * and UDP, 127.0.0.1 and ::1) and client connections between them; the
 * agent's document must agree with `ss` on every socket of those pids, and on
 * every listening socket ss shows for a process the document knows.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { createInterface } from "node:readline";
import ipaddr from "ipaddr.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discover, liveContext } from "../probe/discovery/discover.js";
import { tcpdiscoveryAgent } from "../probe/discovery/tcpdiscovery/index.js";
import type { ProcessGroup, TcpDiscoveryData } from "../probe/discovery/tcpdiscovery/types.js";
import type { DiscoveryDocument } from "../protocol/discovery-document.js";

const SS = "/usr/bin/ss";
const skipReason =
  process.platform !== "linux"
    ? "not Linux"
    : !existsSync(SS)
      ? `${SS} is missing (Debian package iproute2)`
      : !existsSync("/proc/net/tcp6")
        ? "IPv6 is disabled on this host"
        : "";
if (skipReason) console.warn(`tcpdiscovery accuracy test skipped: ${skipReason}`);

const WAIT_MS = 15_000;
/** Children exit on their own after this, should the test runner die without cleaning up. */
const CHILD_LIFETIME_MS = 120_000;

// Both children also exit when their stdin closes, i.e. when this process goes away.
const LIFELINE = `process.stdin.on("end",()=>process.exit(0));process.stdin.resume();setTimeout(()=>process.exit(0),${CHILD_LIFETIME_MS}).unref();`;

const SERVER = `${LIFELINE}
const net=require("node:net"),dgram=require("node:dgram");const held=[];
const tcp=(host)=>new Promise((ok)=>{const s=net.createServer((c)=>{held.push(c);process.stdout.write("accepted\\n")});s.listen(0,host,()=>ok(s.address().port))});
const udp=(type,host)=>new Promise((ok)=>{const s=dgram.createSocket(type);held.push(s);s.bind(0,host,()=>ok(s.address().port))});
Promise.all([tcp("127.0.0.1"),tcp("::1"),udp("udp4","127.0.0.1"),udp("udp6","::1")]).then(([tcp4,tcp6,udp4,udp6])=>process.stdout.write(JSON.stringify({tcp4,tcp6,udp4,udp6})+"\\n"));`;

const CLIENT = `${LIFELINE}
const net=require("node:net"),dgram=require("node:dgram");const p=JSON.parse(process.argv[1]);const held=[];
const tcp=(host,port)=>new Promise((ok,no)=>{const c=net.connect(port,host,()=>ok());c.on("error",no);held.push(c)});
const udp=(port)=>new Promise((ok)=>{const s=dgram.createSocket("udp4");held.push(s);s.connect(port,"127.0.0.1",()=>ok())});
Promise.all([tcp("127.0.0.1",p.tcp4),tcp("::1",p.tcp6),udp(p.udp4)]).then(()=>process.stdout.write("connected\\n"));`;

interface Ports {
  tcp4: number;
  tcp6: number;
  udp4: number;
  udp6: number;
}

/** Starts `node -e code tag ...args` with a distinctive argv; lines() yields its stdout lines. */
function startChild(code: string, args: string[]) {
  const child = spawn(process.execPath, ["-e", code, ...args], {
    cwd: tmpdir(),
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  const waiting: (() => void)[] = [];
  const wakeAll = () => {
    for (const wake of waiting.splice(0)) wake();
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    lines.push(line);
    wakeAll();
  });
  child.on("exit", wakeAll);
  /** Resolves with the first line that satisfies ok, failing after WAIT_MS. */
  const waitFor = (what: string, ok: (all: string[]) => string | undefined) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child ${child.pid}: no ${what} in ${WAIT_MS} ms`)),
        WAIT_MS,
      );
      const check = () => {
        const found = ok(lines);
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(
            new Error(
              `child ${child.pid} exited (${child.exitCode ?? child.signalCode}) before ${what}`,
            ),
          );
        } else {
          waiting.push(check);
        }
      };
      check();
    });
  return { child, waitFor };
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGKILL");
  });
}

interface SsSocket {
  netid: string;
  state: string;
  addr: string;
  port: number;
  peerAddr: string;
  peerPort: number;
  pids: number[];
}

/** "127.0.0.1:80", "[::1]:80", "*:80", "127.0.0.53%lo:53", "[::ffff:127.0.0.1]:80" → canonical parts. */
function ssEndpoint(text: string): { addr: string; port: number } {
  const colon = text.lastIndexOf(":");
  // "[fe80::1]%eth0" and "127.0.0.53%lo": the interface is not part of the address
  let addr = text
    .slice(0, colon)
    .replace(/%[^\]]*/, "")
    .replace(/^\[|\]$/g, "");
  const port = text.slice(colon + 1);
  // ss writes "*" for a dual-stack (not IPV6_V6ONLY) "::" socket
  if (addr === "*") addr = "::";
  if (!ipaddr.isValid(addr)) throw new Error(`ss printed an address we cannot read: ${text}`);
  return { addr: ipaddr.process(addr).toString(), port: port === "*" ? 0 : Number(port) };
}

/**
 * Lines of `ss -H ... -p`: [Netid] [State] Recv-Q Send-Q Local Peer [users:((...))].
 * Netid is printed only when several protocols are asked for, and `ss -u`
 * (connected UDP only) prints no State.
 */
function runSs(args: string[], defaultNetid: string): SsSocket[] {
  const result = spawnSync(SS, args, { encoding: "utf8", timeout: 30_000 });
  if (result.status !== 0) throw new Error(`ss ${args.join(" ")}: ${result.stderr}`);
  return result.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      const netid =
        fields[0] === "tcp" || fields[0] === "udp" ? (fields.shift() as string) : defaultNetid;
      const state = /^[A-Z][A-Z0-9-]*$/.test(fields[0] as string) ? (fields.shift() as string) : "";
      const [, , localText, peerText, ...rest] = fields;
      const local = ssEndpoint(localText as string);
      const peer = ssEndpoint(peerText as string);
      const pids = [...rest.join(" ").matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
      return {
        netid,
        state,
        addr: local.addr,
        port: local.port,
        peerAddr: peer.addr,
        peerPort: peer.port,
        pids,
      };
    });
}

function groups(data: TcpDiscoveryData): ProcessGroup[] {
  return Object.entries(data)
    .filter(([key]) => key !== "unowned")
    .map(([, group]) => group as ProcessGroup);
}

function groupOfPid(data: TcpDiscoveryData, pid: number): ProcessGroup | undefined {
  return groups(data).find((g) => g.pids.includes(pid));
}

const tuple = (proto: string, addr: string, port: number) => `${proto} ${addr} ${port}`;

describe.skipIf(skipReason !== "")("tcpdiscovery against ss on loopback (live)", () => {
  const tag = `assim-accuracy-${process.pid}-${Date.now()}`;
  let server: ReturnType<typeof startChild> | undefined;
  let client: ReturnType<typeof startChild> | undefined;
  let ports: Ports;
  let document: DiscoveryDocument<TcpDiscoveryData>;
  let listening: SsSocket[];
  let listeningAfter: SsSocket[];
  let tcpConnections: SsSocket[];
  let udpConnections: SsSocket[];

  beforeAll(async () => {
    server = startChild(SERVER, [`${tag}-server`]);
    const portsLine = await server.waitFor("ports", (lines) =>
      lines.find((l) => l.startsWith("{")),
    );
    ports = JSON.parse(portsLine) as Ports;
    client = startChild(CLIENT, [JSON.stringify(ports), `${tag}-client`]);
    await client.waitFor("connection", (lines) => lines.find((l) => l === "connected"));
    // Both TCP connections accepted by the server: none left in its accept queue.
    await server.waitFor("two accepts", (lines) =>
      lines.filter((l) => l === "accepted").length >= 2 ? "ok" : undefined,
    );
    listening = runSs(["-tulnpH"], "tcp");
    document = await discover(tcpdiscoveryAgent, liveContext());
    listeningAfter = runSs(["-tulnpH"], "tcp");
    tcpConnections = runSs(["-tnpH"], "tcp");
    udpConnections = runSs(["-unpH"], "udp");
  });

  afterAll(async () => {
    await Promise.all([stop(client?.child), stop(server?.child)]);
  });

  const serverPid = () => server?.child.pid as number;
  const clientPid = () => client?.child.pid as number;

  it("finds the server's four listening sockets, as ss does, and nothing more", () => {
    const expected = [
      tuple("tcp", "127.0.0.1", ports.tcp4),
      tuple("tcp", "::1", ports.tcp6),
      tuple("udp", "127.0.0.1", ports.udp4),
      tuple("udp", "::1", ports.udp6),
    ].sort();
    const fromSs = listening
      .filter((s) => s.pids.includes(serverPid()))
      .map((s) => tuple(s.netid, s.addr, s.port))
      .sort();
    expect(fromSs).toEqual(expected);
    const group = groupOfPid(document.data, serverPid());
    expect(group?.listen.map((e) => tuple(e.proto, e.addr, e.port)).sort()).toEqual(expected);
  });

  it("describes each child process: exe, argv, pid, uid, user and cwd", () => {
    const server = groupOfPid(document.data, serverPid()) as ProcessGroup;
    const client = groupOfPid(document.data, clientPid()) as ProcessGroup;
    expect(server).toBeDefined();
    expect(client).toBeDefined();
    expect(server).not.toBe(client);
    expect(server.exe).toBe(realpathSync(process.execPath));
    expect(server.exe_deleted).toBe(false);
    expect(server.cmdline).toEqual([process.execPath, "-e", SERVER, `${tag}-server`]);
    expect(server.pids).toEqual([serverPid()]);
    expect(client.pids).toEqual([clientPid()]);
    expect(server.uid).toBe(process.getuid?.());
    expect(server.gid).toBe(process.getgid?.());
    expect(server.user).toBe(userInfo().username);
    expect(server.cwd).toBe(realpathSync(tmpdir()));
    const key = Object.entries(document.data).find(([, g]) => g === server)?.[0];
    expect(key).toMatch(/^node:[0-9a-f]{12}$/);
  });

  it("attributes the client connections to the client, as ss does", () => {
    const fromSs = tcpConnections
      .filter((s) => s.state === "ESTAB" && s.pids.includes(clientPid()))
      .map((s) => tuple(s.netid, s.peerAddr, s.peerPort))
      .concat(
        udpConnections
          .filter((s) => s.pids.includes(clientPid()))
          .map((s) => tuple(s.netid, s.peerAddr, s.peerPort)),
      )
      .sort();
    const expected = [
      tuple("tcp", "127.0.0.1", ports.tcp4),
      tuple("tcp", "::1", ports.tcp6),
      tuple("udp", "127.0.0.1", ports.udp4),
    ].sort();
    expect(fromSs).toEqual(expected);
    const client = groupOfPid(document.data, clientPid()) as ProcessGroup;
    expect(client.clients.map((e) => tuple(e.proto, e.addr, e.port)).sort()).toEqual(expected);
    expect(client.listen).toEqual([]);
  });

  it("does not count the server's accepted connections as client connections", () => {
    const accepted = tcpConnections.filter(
      (s) => s.state === "ESTAB" && s.pids.includes(serverPid()),
    );
    // ss sees the two accepted connections on the server's own ports...
    expect(accepted.map((s) => s.port).sort()).toEqual([ports.tcp4, ports.tcp6].sort());
    // ...and the document lists none of them as the server's clients.
    expect(groupOfPid(document.data, serverPid())?.clients).toEqual([]);
  });

  it("lists every listening socket ss shows for a process it knows", () => {
    // Only sockets ss showed both before and after the agent ran existed all along.
    const after = new Set(
      listeningAfter.map((s) => `${s.pids.join(",")} ${tuple(s.netid, s.addr, s.port)}`),
    );
    const stable = listening.filter((s) =>
      after.has(`${s.pids.join(",")} ${tuple(s.netid, s.addr, s.port)}`),
    );
    let compared = 0;
    for (const socket of stable) {
      for (const pid of socket.pids) {
        const group = groupOfPid(document.data, pid);
        if (!group) continue; // a process that came or went, or that we may not read
        compared++;
        const ours = group.listen.map((e) => tuple(e.proto, e.addr, e.port));
        expect(ours, `pid ${pid}`).toContain(tuple(socket.netid, socket.addr, socket.port));
      }
    }
    expect(compared).toBeGreaterThanOrEqual(4);
  });
});
