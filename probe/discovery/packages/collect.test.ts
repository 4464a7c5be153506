import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertValidDiscoveryDocument } from "../../../protocol/discovery-document.js";
import type { CollectContext } from "../agent.js";
import { discover, liveContext } from "../discover.js";
import { CommandError, type CommandRunner } from "../run-command.js";
import { packagesAgent } from "./index.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

/** A runner that answers per program: output text, or a CommandError detail. */
function fakeRun(answers: Record<string, { stdout: string } | { fails: string }>) {
  const calls: string[][] = [];
  const run: CommandRunner = async (program, args) => {
    calls.push([program, ...args]);
    const answer = answers[program];
    const command = [program, ...args].join(" ");
    if (!answer) throw CommandError.notInstalled(command);
    if ("fails" in answer) throw new CommandError(command, answer.fails);
    return { stdout: answer.stdout, stderr: "" };
  };
  return { run, calls };
}

const context = (run: CommandRunner, fsRoot = "/"): CollectContext => ({
  hostname: "fixture",
  procRoot: "/nonexistent/proc",
  sysRoot: "/nonexistent/sys",
  fsRoot,
  run,
});

describe("packages collector", () => {
  it("Debian: dpkg only; a missing rpm is not an error", async () => {
    const { run, calls } = fakeRun({ "dpkg-query": { stdout: fixture("dpkg-query.debian12") } });
    const document = await discover(packagesAgent, context(run));
    expect(document.errors).toEqual([]);
    expect(document.data.managers).toEqual(["dpkg"]);
    expect(Object.keys(document.data.packages)).toHaveLength(736);
    expect(document.data.packages.bash?.version).toBe("5.2.15-2+b8");
    expect(calls.map((call) => call[0])).toEqual(["dpkg-query", "rpm"]);
    expect(calls[0]?.slice(1, 2)).toEqual(["-W"]);
    expect(packagesAgent.summarize(document.data)).toBe("736 packages (dpkg)");
  });

  it("Red Hat: rpm only; a missing dpkg-query is not an error", async () => {
    const { run } = fakeRun({ rpm: { stdout: fixture("rpm-qa.rocky9") } });
    const document = await discover(packagesAgent, context(run));
    expect(document.data.managers).toEqual(["rpm"]);
    expect(document.data.packages.openssl?.version).toBe("1:3.0.7-24.el9");
    expect(document.errors).toHaveLength(1); // the repeated bash entry
    expect(packagesAgent.summarize(document.data)).toBe("10 packages (rpm)");
  });

  it("both managers: packages of both, each with its manager", async () => {
    const { run } = fakeRun({
      "dpkg-query": { stdout: fixture("dpkg-query.multiarch") },
      rpm: { stdout: "" },
    });
    const document = await discover(packagesAgent, context(run));
    expect(document.data.managers).toEqual(["dpkg", "rpm"]);
    expect(document.data.packages["libc6:i386"]?.manager).toBe("dpkg");
    expect(document.errors.map((e) => e.where)).toEqual([
      "dpkg-query:11",
      "dpkg-query:12",
      "dpkg-query:13",
    ]);
  });

  it("neither manager: an empty list and one error, so it is not read as 'nothing installed'", async () => {
    const { run } = fakeRun({});
    const document = await discover(packagesAgent, context(run));
    expect(document.data).toEqual({ managers: [], packages: {} });
    expect(document.errors).toEqual([
      {
        where: "dpkg-query, rpm",
        message: "no package manager found: neither dpkg-query nor rpm is installed",
      },
    ]);
    expect(packagesAgent.summarize(document.data)).toBe("0 packages (no package manager)");
  });

  it("a failing dpkg-query is an error and leaves dpkg out of managers", async () => {
    const { run } = fakeRun({ "dpkg-query": { fails: "exited with 2: database locked" } });
    const document = await discover(packagesAgent, context(run));
    expect(document.data.managers).toEqual([]);
    expect(document.errors).toHaveLength(1);
    expect(document.errors[0]?.where).toBe("dpkg-query");
    expect(document.errors[0]?.message).toContain("database locked");
  });

  it("reads the databases under fsRoot when it is not /", async () => {
    const { run, calls } = fakeRun({});
    await discover(packagesAgent, context(run, "/mnt/image"));
    expect(calls[0]?.[1]).toBe("--admindir=/mnt/image/var/lib/dpkg");
    expect(calls[1]?.slice(1, 3)).toEqual(["--dbpath", "/mnt/image/var/lib/rpm"]);
  });

  it("a document with a bad version fails the schema", async () => {
    const { run } = fakeRun({ "dpkg-query": { stdout: fixture("dpkg-query.multiarch") } });
    const document = await discover(packagesAgent, context(run));
    const bad = structuredClone(document);
    const zlib = bad.data.packages.zlib1g;
    if (!zlib) throw new Error("fixture lost zlib1g");
    zlib.version = "1.0; rm -rf /";
    expect(() => assertValidDiscoveryDocument(bad)).toThrow(/\/data\/packages\/zlib1g\/version/);
  });
});

const dpkgQuery = (() => {
  try {
    return execFileSync(
      "dpkg-query",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query field syntax
      ["-W", "-f=${db:Status-Abbrev}\\t${Package}\\t${Version}\\n"],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  } catch {
    return undefined;
  }
})();

describe("packages collector on this machine", () => {
  it.skipIf(dpkgQuery === undefined)(
    "lists exactly the packages dpkg-query says are installed (skips without dpkg-query)",
    async () => {
      const installed = (dpkgQuery ?? "")
        .split("\n")
        .map((line) => line.split("\t"))
        .filter(([status]) => status?.[1] === "i");
      const { data, errors } = await discover(packagesAgent, liveContext());
      expect(errors).toEqual([]);
      expect(data.managers).toContain("dpkg");
      const dpkgPackages = Object.values(data.packages).filter((p) => p.manager === "dpkg");
      expect(dpkgPackages).toHaveLength(installed.length);
      for (const [, name, version] of installed.slice(0, 50)) {
        expect(dpkgPackages.find((p) => p.name === name)?.version).toBe(version);
      }
    },
  );
});
