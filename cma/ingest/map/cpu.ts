/** cpu → properties of the host's System. */
import type { Mapper } from "./context.js";

interface CpuData {
  model_name: string | null;
  vendor: string | null;
  mhz: number | null;
  cache_size_kb: number | null;
  sockets: number | null;
  cores: number | null;
  threads: number;
  flags: string[];
}

export const mapCpu: Mapper = (document, context) => {
  const data = document.data as CpuData;
  const props = {
    cpu_model: data.model_name,
    cpu_vendor: data.vendor,
    cpu_mhz: data.mhz,
    cpu_cache_kb: data.cache_size_kb,
    cpu_sockets: data.sockets,
    cpu_cores: data.cores,
    cpu_threads: data.threads,
    cpu_flags: [...data.flags].sort(),
  };
  return {
    warnings: [],
    apply: (tx) => tx.upsertSystem({ key: context.system, kind: "host", props }, context.at),
  };
};
