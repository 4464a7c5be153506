import { describe, expect, it } from "vitest";
import { topologyFromSysfs } from "./topology.js";

describe("topologyFromSysfs", () => {
  it("counts packages and sibling sets of a 2-socket, 2-core, 2-thread machine", () => {
    const cpus = [0, 1, 2, 3, 4, 5, 6, 7].map((cpu) => {
      const pkg = cpu % 2;
      const core = Math.floor(cpu / 2) % 2;
      const first = pkg + core * 2;
      return {
        packageId: pkg,
        packageCpus: pkg === 0 ? "0,2,4,6" : "1,3,5,7",
        coreCpus: `${first},${first + 4}`,
      };
    });
    expect(topologyFromSysfs(cpus)).toEqual({ sockets: 2, cores: 4 });
  });

  it("counts cores by sibling sets, not by core ids that repeat across dies", () => {
    const cpus = [
      { packageId: 0, packageCpus: "0-3", coreCpus: "0" },
      { packageId: 0, packageCpus: "0-3", coreCpus: "1" },
      { packageId: 0, packageCpus: "0-3", coreCpus: "2" },
      { packageId: 0, packageCpus: "0-3", coreCpus: "3" },
    ];
    expect(topologyFromSysfs(cpus)).toEqual({ sockets: 1, cores: 4 });
  });

  it("falls back to package CPU lists when the package id is -1 (some ARM kernels)", () => {
    const cpus = [
      { packageId: -1, packageCpus: "0-1", coreCpus: "0" },
      { packageId: -1, packageCpus: "0-1", coreCpus: "1" },
      { packageId: -1, packageCpus: "2-3", coreCpus: "2" },
    ];
    expect(topologyFromSysfs(cpus)).toEqual({ sockets: 2, cores: 3 });
  });

  it("reports unknown counts rather than guessing when lists are missing", () => {
    const cpus = [{ packageId: undefined, packageCpus: undefined, coreCpus: undefined }];
    expect(topologyFromSysfs(cpus)).toEqual({ sockets: null, cores: null });
    expect(topologyFromSysfs([])).toBeUndefined();
  });
});
