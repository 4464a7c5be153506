/** Cheap hints that the host is a virtual machine or a container, from files already on disk. */

export interface Virtualization {
  /** "kvm", "vmware", "xen"…; "unknown" when a hypervisor is seen but not named; null on metal. */
  hypervisor: string | null;
  /** "docker", "podman", "lxc", "kubernetes", or what /run/systemd/container says; null if none. */
  container: string | null;
  /** The files or values the hints come from, e.g. "/.dockerenv". */
  evidence: string[];
}

export interface VirtualizationClues {
  /** The x86 `hypervisor` CPU flag (set by every mainstream hypervisor for its guests). */
  cpuHypervisorFlag: boolean;
  /** /sys/hypervisor/type (Xen). */
  sysHypervisorType?: string;
  /** /sys/class/dmi/id values by file name. */
  dmi: Record<string, string>;
  /** /run/systemd/container, written by container managers for systemd inside. */
  systemdContainer?: string;
  dockerenv: boolean;
  containerenv: boolean;
  /** /proc/1/cgroup. */
  initCgroup?: string;
}

const DMI_HYPERVISORS: ReadonlyArray<[RegExp, string]> = [
  [/^KVM$|^KVM Virtual Machine|^RHEV Hypervisor|^oVirt/i, "kvm"],
  [/^QEMU/i, "qemu"],
  [/^VMware/i, "vmware"],
  [/^VirtualBox$|^innotek GmbH$/i, "virtualbox"],
  [/^Xen$|^HVM domU$/i, "xen"],
  [/^Virtual Machine$/i, "microsoft"],
  [/^Amazon EC2$/i, "amazon"],
  [/^Google Compute Engine$|^Google$/i, "google"],
  [/^Parallels/i, "parallels"],
  [/^BHYVE$/i, "bhyve"],
  [/^OpenStack/i, "kvm"],
  [/^Firecracker$/i, "firecracker"],
];

const CGROUP_CONTAINERS: ReadonlyArray<[RegExp, string]> = [
  [/\/kubepods[./]/, "kubernetes"],
  [/\/libpod-|\/machine\.slice\/libpod/, "podman"],
  [/\/docker[-/]/, "docker"],
  [/\/lxc(\.payload)?[./]/, "lxc"],
];

const CONTAINER_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export function detectVirtualization(clues: VirtualizationClues): Virtualization {
  const evidence: string[] = [];
  return {
    hypervisor: detectHypervisor(clues, evidence),
    container: detectContainer(clues, evidence),
    evidence,
  };
}

function detectHypervisor(clues: VirtualizationClues, evidence: string[]): string | null {
  const xen = clues.sysHypervisorType?.trim();
  if (xen) {
    evidence.push(`/sys/hypervisor/type=${xen}`);
    return /^[a-z0-9_-]{1,32}$/.test(xen) ? xen : "unknown";
  }
  // DMI names the vendor of metal too ("Amazon EC2" on .metal instances): trust it only in a guest.
  if (!clues.cpuHypervisorFlag) return null;
  evidence.push("cpu flag hypervisor");
  for (const field of ["product_name", "sys_vendor", "board_vendor", "bios_vendor"]) {
    const value = clues.dmi[field]?.trim();
    if (!value) continue;
    const known = DMI_HYPERVISORS.find(([pattern]) => pattern.test(value));
    if (known) {
      evidence.push(`dmi ${field}=${value}`);
      return known[1];
    }
  }
  return "unknown";
}

function detectContainer(clues: VirtualizationClues, evidence: string[]): string | null {
  const declared = clues.systemdContainer?.trim().toLowerCase();
  if (declared) {
    evidence.push("/run/systemd/container");
    return CONTAINER_NAME.test(declared) ? declared : "unknown";
  }
  if (clues.containerenv) {
    evidence.push("/run/.containerenv");
    return "podman";
  }
  if (clues.dockerenv) {
    evidence.push("/.dockerenv");
    return "docker";
  }
  for (const [pattern, name] of CGROUP_CONTAINERS) {
    if (clues.initCgroup && pattern.test(clues.initCgroup)) {
      evidence.push("/proc/1/cgroup");
      return name;
    }
  }
  return null;
}
