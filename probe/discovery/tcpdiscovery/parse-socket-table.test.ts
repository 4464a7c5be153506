import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ErrorList } from "../error-list.js";
import { MAX_LINE_ERRORS } from "../line-errors.js";
import { parseSocketLine, parseSocketTable, type TableOptions } from "./parse-socket-table.js";

const net = join(import.meta.dirname, "fixtures", "host", "proc", "net");
const read = (name: string) => readFileSync(join(net, name), "latin1");

function parse(text: string, options: Partial<TableOptions> = {}) {
  const errors = new ErrorList();
  const sockets = parseSocketTable(
    text,
    { path: "/proc/net/tcp", proto: "tcp", littleEndian: true, ...options },
    errors,
  );
  return { sockets, errors: errors.items };
}

/** A /proc/net/tcp line as the kernel prints it (4-digit slot, 8-hex addresses). */
function tcpLine(slot: number, local: string, remote: string, state: string, inode: number) {
  return `${String(slot).padStart(4)}: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0`;
}

const HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

describe("parseSocketTable", () => {
  it("keeps listeners and established connections of a tcp table, skipping other states", () => {
    const { sockets, errors } = parse(read("tcp"), { path: "/x/net/tcp" });
    const byInode = (inode: number) => sockets.filter((s) => s.inode === inode);
    expect(byInode(1001)).toEqual([
      {
        proto: "tcp",
        role: "listen",
        localAddr: "0.0.0.0",
        localPort: 22,
        remoteAddr: "0.0.0.0",
        remotePort: 0,
        uid: 0,
        inode: 1001,
      },
    ]);
    expect(byInode(1003)[0]).toMatchObject({
      role: "connected",
      localAddr: "192.0.2.2",
      localPort: 40001,
      remoteAddr: "10.0.0.5",
      remotePort: 5432,
      uid: 1000,
    });
    // inode 0: the kernel NFS listener, the accept-queue connection and the NFS client
    expect(byInode(0).map((s) => `${s.role} ${s.remoteAddr}:${s.remotePort}`)).toEqual([
      "listen 0.0.0.0:0",
      "connected 192.0.2.11:52000",
      "connected 192.0.2.20:2049",
    ]);
    // TIME_WAIT (06) is not reported
    expect(sockets.some((s) => s.remoteAddr === "10.0.0.7")).toBe(false);
    expect(sockets).toHaveLength(8);
    expect(errors).toEqual([
      { where: "/x/net/tcp:11", message: 'malformed line: bad endpoint "0100007F:ZZ01"' },
      { where: "/x/net/tcp:12", message: "malformed line: expected at least 10 fields, found 3" },
    ]);
  });

  it("decodes IPv6, IPv4-mapped and link-local addresses of a tcp6 table", () => {
    const { sockets, errors } = parse(read("tcp6"));
    expect(errors).toEqual([]);
    const summary = sockets.map(
      (s) => `${s.role} ${s.localAddr} ${s.localPort} ${s.remoteAddr} ${s.remotePort}`,
    );
    expect(summary).toEqual([
      "listen :: 22 :: 0",
      "listen :: 80 :: 0",
      "connected 192.0.2.2 80 198.51.100.7 60000",
      "connected 192.0.2.2 41000 10.0.0.6 8080",
      "connected 2001:db8::2 40002 2001:db8::1 5432",
      "listen fe80::fc:ff:fe00:1 8443 :: 0",
      "listen 127.0.0.1 9000 :: 0",
      "listen 2001:db8::1:0:0:1 7000 :: 0",
    ]);
  });

  it("reads udp tables: bound unconnected sockets listen, connected ones connect, unbound are skipped", () => {
    const { sockets, errors } = parse(read("udp"), { proto: "udp" });
    expect(errors).toEqual([]);
    expect(sockets.map((s) => [s.proto, s.role, s.localPort, s.remoteAddr, s.inode])).toEqual([
      ["udp", "listen", 5353, "0.0.0.0", 1201],
      ["udp", "connected", 45000, "192.0.2.53", 1202],
      ["udp", "connected", 5353, "192.0.2.99", 1203],
    ]);
    const udp6 = parse(read("udp6"), { proto: "udp" });
    expect(udp6.sockets).toMatchObject([{ role: "listen", localAddr: "::1", localPort: 8125 }]);
  });

  it("applies tcp states to tcp and udp states to udp", () => {
    const text = `${HEADER}\n${tcpLine(0, "0100007F:1F90", "00000000:0000", "07", 5)}\n`;
    expect(parse(text, { proto: "tcp" }).sockets).toEqual([]); // TCP_CLOSE
    expect(parse(text, { proto: "udp" }).sockets).toHaveLength(1);
  });

  it("reports each kind of malformed line with its line number", () => {
    const good = tcpLine(0, "0100007F:1F90", "00000000:0000", "0A", 7);
    const lines = [
      HEADER,
      good,
      "",
      tcpLine(1, "0100007F:1F9", "00000000:0000", "0A", 8),
      tcpLine(2, "0100007F:1F90", "00000000:0000", "XY", 9),
      good.replace(" 7 1 ", " 7x 1 "),
      good.replace("     0        0 ", "    -1        0 "),
      good.replace("   0: ", "   a: "),
      tcpLine(3, "0100007F:1F90", "00000000000000000000000000000000:0000", "0A", 10),
      tcpLine(4, "0100007F:1F90", "0200007F:0000", "01", 11),
      "\u0000\u0001binary\u00ff junk",
    ];
    const { sockets, errors } = parse(lines.join("\n"));
    expect(sockets.map((s) => s.inode)).toEqual([7]);
    expect(errors.map((e) => e.where)).toEqual(
      [4, 5, 6, 7, 8, 9, 10, 11].map((n) => `/proc/net/tcp:${n}`),
    );
    expect(errors.map((e) => e.message)).toEqual([
      'malformed line: bad endpoint "0100007F:1F9"',
      'malformed line: bad state "XY"',
      'malformed line: bad inode "7x"',
      'malformed line: bad uid "-1"',
      'malformed line: bad slot "a:"',
      "malformed line: local and remote addresses of different families",
      'malformed line: connected socket with port 0 ("0100007F:1F90" "0200007F:0000")',
      "malformed line: expected at least 10 fields, found 2",
    ]);
  });

  it("parses a table without its header line", () => {
    const { sockets, errors } = parse(tcpLine(0, "0100007F:1F90", "00000000:0000", "0A", 7));
    expect(errors).toEqual([]);
    expect(sockets).toHaveLength(1);
  });

  it("caps the errors of a file of junk and keeps quoted fields short", () => {
    const junk = Array.from({ length: 500 }, (_, i) => `${i}: ${"Z".repeat(10_000)} x`).join("\n");
    const { errors } = parse(junk);
    expect(errors).toHaveLength(MAX_LINE_ERRORS + 1);
    expect(errors.at(-1)).toEqual({
      where: "/proc/net/tcp",
      message: `${500 - MAX_LINE_ERRORS} more malformed lines not listed (500 in all)`,
    });
    for (const error of errors) expect(error.message.length).toBeLessThan(200);
  });

  it("parses thousands of sockets quickly", () => {
    const count = 20_000;
    const lines = [HEADER];
    for (let i = 0; i < count; i++) {
      const port = (1024 + (i % 60_000)).toString(16).toUpperCase().padStart(4, "0");
      const local = `${(0x0100007f + (i << 8)).toString(16).toUpperCase().padStart(8, "0")}`;
      lines.push(
        i % 2 === 0
          ? tcpLine(i, `${local}:${port}`, "00000000:0000", "0A", 100_000 + i)
          : tcpLine(i, `0100007F:${port}`, "0100007F:1F90", "01", 100_000 + i),
      );
    }
    const started = performance.now();
    const { sockets, errors } = parse(lines.join("\n"));
    const elapsed = performance.now() - started;
    expect(errors).toEqual([]);
    expect(sockets).toHaveLength(count);
    expect(sockets.filter((s) => s.role === "listen")).toHaveLength(count / 2);
    expect(sockets[2]).toMatchObject({ localAddr: "127.2.0.1", localPort: 1026, inode: 100_002 });
    expect(sockets.at(-1)).toMatchObject({ remotePort: 8080, inode: 100_000 + count - 1 });
    expect(elapsed).toBeLessThan(1000);
  });

  it("gives the same sockets and errors as the field-by-field checks, line by line", () => {
    const odd = [
      HEADER,
      tcpLine(0, "0100007F:1F90", "00000000:0000", "0A", 7).replace(/ /g, "\t"), // tabs
      tcpLine(1, "0100007F:1F90", "00000000:0000", "0A", 8).replace("00000000:00000000", "zz"), // odd queue field
      `${tcpLine(2, "0100007F:1F91", "00000000:0000", "0A", 9)}\r`,
      tcpLine(3, "0100007F:1F92", "0100007F:0000", "01", 10),
      tcpLine(4, "0100007F:1F93", "00000000:0000", "0A", 11).replace(" 0 11 ", " 0 11x "),
    ].join("\n");
    const tables: [string, TableOptions][] = [
      [read("tcp"), { path: "tcp", proto: "tcp", littleEndian: true }],
      [read("tcp6"), { path: "tcp6", proto: "tcp", littleEndian: true }],
      [read("udp"), { path: "udp", proto: "udp", littleEndian: true }],
      [read("udp6"), { path: "udp6", proto: "udp", littleEndian: true }],
      [odd, { path: "odd", proto: "tcp", littleEndian: true }],
    ];
    for (const [text, options] of tables) {
      const errors = new ErrorList();
      const sockets = parseSocketTable(text, options, errors);
      const expectedSockets: unknown[] = [];
      const expectedErrors: unknown[] = [];
      text.split("\n").forEach((line, i) => {
        if (line.trim() === "" || (i === 0 && line.trim().startsWith("sl "))) return;
        const parsed = parseSocketLine(line, options);
        if (typeof parsed === "string") {
          expectedErrors.push({
            where: `${options.path}:${i + 1}`,
            message: `malformed line: ${parsed}`,
          });
        } else if (parsed !== undefined) {
          expectedSockets.push(parsed);
        }
      });
      expect(sockets, options.path).toEqual(expectedSockets);
      expect(errors.items, options.path).toEqual(expectedErrors);
    }
    const oddSockets = parseSocketTable(odd, tables[4]?.[1] as TableOptions, new ErrorList());
    expect(oddSockets.map((s) => s.inode)).toEqual([7, 8, 9]);
  });
});
