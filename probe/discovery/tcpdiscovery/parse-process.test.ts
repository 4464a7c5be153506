import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  MAX_ARG_LENGTH,
  MAX_ARGS,
  parseCmdline,
  parseExeLink,
  parseStatus,
  socketInode,
} from "./parse-process.js";

const proc = join(import.meta.dirname, "fixtures", "host", "proc");

describe("socketInode", () => {
  it("reads the inode of a socket link and nothing else", () => {
    expect(socketInode("socket:[13451]")).toBe(13451);
    expect(socketInode("socket:[0]")).toBeUndefined();
    expect(socketInode("socket:[]")).toBeUndefined();
    expect(socketInode("socket:[12x]")).toBeUndefined();
    expect(socketInode("socket:[13451")).toBeUndefined();
    expect(socketInode("pipe:[13451]")).toBeUndefined();
    expect(socketInode("anon_inode:[eventpoll]")).toBeUndefined();
    expect(socketInode("/tmp/socket:[1]")).toBeUndefined();
    expect(socketInode("")).toBeUndefined();
  });
});

describe("parseExeLink", () => {
  it("keeps the path of a deleted executable and flags it", () => {
    expect(parseExeLink("/opt/app/bin/server (deleted)")).toEqual({
      exe: "/opt/app/bin/server",
      deleted: true,
    });
    expect(parseExeLink("/usr/sbin/sshd")).toEqual({ exe: "/usr/sbin/sshd", deleted: false });
    expect(parseExeLink("/opt/my (deleted) app")).toEqual({
      exe: "/opt/my (deleted) app",
      deleted: false,
    });
  });
});

describe("parseCmdline", () => {
  it("splits on NUL, keeping spaces, newlines and empty arguments in the middle", () => {
    const text = readFileSync(join(proc, "104", "cmdline"), "utf8");
    expect(parseCmdline(text)).toEqual({
      argv: ["/opt/app/bin/server", "--name", "my app", "", "--motd=line one\nline two"],
      truncated: false,
    });
  });

  it("drops the NUL padding left by programs that rewrite their title", () => {
    expect(parseCmdline("nginx: worker process\0\0\0\0\0\0").argv).toEqual([
      "nginx: worker process",
    ]);
    expect(parseCmdline("no-trailing-nul").argv).toEqual(["no-trailing-nul"]);
    expect(parseCmdline("").argv).toEqual([]);
  });

  it("cuts hostile argument lists to the schema's limits", () => {
    const long = parseCmdline(`${"x".repeat(MAX_ARG_LENGTH + 10)}\0b\0`);
    expect(long.truncated).toBe(true);
    expect(long.argv.map((a) => a.length)).toEqual([MAX_ARG_LENGTH, 1]);
    const many = parseCmdline("a\0".repeat(MAX_ARGS + 5));
    expect(many.truncated).toBe(true);
    expect(many.argv).toHaveLength(MAX_ARGS);
  });
});

describe("parseStatus", () => {
  it("takes the name and the effective uid and gid", () => {
    const text = readFileSync(join(proc, "102", "status"), "utf8");
    expect(parseStatus(text)).toEqual({ name: "nginx", uid: 33, gid: 33, zombie: false });
    const setuid =
      "Name:\tpasswd\nState:\tS (sleeping)\nUid:\t1000\t0\t0\t0\nGid:\t1000\t42\t42\t42\n";
    expect(parseStatus(setuid)).toEqual({ name: "passwd", uid: 0, gid: 42, zombie: false });
  });

  it("recognises zombies", () => {
    const text = "Name:\tdefunct\nState:\tZ (zombie)\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
    expect(parseStatus(text)).toMatchObject({ zombie: true });
  });

  it("says what is missing from an unusable status", () => {
    expect(parseStatus("")).toBe("no Name: line");
    expect(parseStatus("Name:\tx\nGid:\t0\t0\t0\t0\n")).toBe("no valid Uid: line");
    expect(parseStatus("Name:\tx\nUid:\t0\tnope\t0\t0\nGid:\t0\t0\t0\t0\n")).toBe(
      "no valid Uid: line",
    );
    expect(parseStatus("Name:\tx\nUid:\t0\t0\t0\t0\nGid:\t0\n")).toBe("no valid Gid: line");
    // "Uid" must start a line: a Name that contains it does not count
    expect(parseStatus("Name:\tUid:\t1\t1\nGid:\t0\t0\t0\t0\n")).toBe("no valid Uid: line");
  });
});
