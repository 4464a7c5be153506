import { describe, expect, it } from "vitest";
import { detectVirtualization, type VirtualizationClues } from "./virtualization.js";

const metal: VirtualizationClues = {
  cpuHypervisorFlag: false,
  dmi: { sys_vendor: "Dell Inc.", product_name: "PowerEdge R640" },
  dockerenv: false,
  containerenv: false,
  initCgroup: "0::/init.scope\n",
};

describe("detectVirtualization", () => {
  it("sees nothing on bare metal", () => {
    expect(detectVirtualization(metal)).toEqual({
      hypervisor: null,
      container: null,
      evidence: [],
    });
  });

  it("does not call an EC2 metal instance a VM on its DMI vendor alone", () => {
    const ec2Metal = { ...metal, dmi: { sys_vendor: "Amazon EC2", product_name: "m5.metal" } };
    expect(detectVirtualization(ec2Metal).hypervisor).toBeNull();
  });

  it.each([
    [{ sys_vendor: "QEMU", product_name: "Standard PC (Q35 + ICH9, 2009)" }, "qemu"],
    [{ sys_vendor: "VMware, Inc.", product_name: "VMware Virtual Platform" }, "vmware"],
    [{ sys_vendor: "Microsoft Corporation", product_name: "Virtual Machine" }, "microsoft"],
    [{ sys_vendor: "innotek GmbH", product_name: "VirtualBox" }, "virtualbox"],
    [{ sys_vendor: "Amazon EC2", product_name: "t3.micro" }, "amazon"],
    [{ sys_vendor: "Red Hat", product_name: "KVM" }, "kvm"],
    [{}, "unknown"],
  ])("names the hypervisor of a guest from DMI %j", (dmi, hypervisor) => {
    const found = detectVirtualization({ ...metal, cpuHypervisorFlag: true, dmi });
    expect(found.hypervisor).toBe(hypervisor);
    expect(found.evidence[0]).toBe("cpu flag hypervisor");
  });

  it("trusts /sys/hypervisor/type (Xen PV guests have no CPU flag)", () => {
    const found = detectVirtualization({ ...metal, sysHypervisorType: "xen\n" });
    expect(found).toMatchObject({ hypervisor: "xen", evidence: ["/sys/hypervisor/type=xen"] });
  });

  it("prefers /run/systemd/container, then podman's and docker's marker files, then cgroups", () => {
    expect(detectVirtualization({ ...metal, systemdContainer: "lxc\n", dockerenv: true })).toEqual({
      hypervisor: null,
      container: "lxc",
      evidence: ["/run/systemd/container"],
    });
    expect(detectVirtualization({ ...metal, containerenv: true, dockerenv: true }).container).toBe(
      "podman",
    );
    expect(detectVirtualization({ ...metal, dockerenv: true }).container).toBe("docker");
    const k8s = "0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-1.scope\n";
    expect(detectVirtualization({ ...metal, initCgroup: k8s }).container).toBe("kubernetes");
    const docker = "12:pids:/docker/0123abcd\n0::/\n";
    expect(detectVirtualization({ ...metal, initCgroup: docker }).container).toBe("docker");
  });

  it("does not repeat a hostile container name", () => {
    const found = detectVirtualization({ ...metal, systemdContainer: "Evil Name;rm -rf" });
    expect(found.container).toBe("unknown");
  });
});
