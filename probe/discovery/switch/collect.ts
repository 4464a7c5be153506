import { join } from "node:path";
import { type CaptureProblem, SwitchListener } from "../../switch/listener.js";
import type { CollectContext, Collected } from "../agent.js";
import { ErrorList } from "../error-list.js";
import { INTERFACES_VARIABLE, type SwitchOptions } from "./options.js";
import type { CaptureReport, SwitchData } from "./types.js";

const SOURCE = "LLDP and CDP frames received (libpcap)";

function whereOf(problem: CaptureProblem): string {
  return "interface" in problem ? `capture on ${problem.interface}` : "capture";
}

/**
 * Listens for `options.seconds` on the chosen interfaces and reports the
 * neighbours known at the end. Returns at once, with the reason in `errors`,
 * when there is nothing to listen on or capture is not permitted.
 */
export async function collectSwitch(
  ctx: CollectContext,
  options: SwitchOptions,
): Promise<Collected<SwitchData>> {
  const errors = new ErrorList();
  const listener = new SwitchListener(
    options.interfaces ? { interfaces: options.interfaces } : { sysRoot: ctx.sysRoot },
    { problem: (problem) => errors.add(whereOf(problem), problem.message) },
  );
  const data: SwitchData = {
    interfaces: {},
    capture: {
      seconds: 0,
      interfaces: {},
      skipped: listener.choice.skipped,
      permission_denied: false,
    },
  };
  if (listener.choice.chosen.length === 0) {
    errors.add(
      join(ctx.sysRoot, "class", "net"),
      `no up, physical Ethernet interface to listen on; name interfaces in ${INTERFACES_VARIABLE}`,
    );
    return { data, source: SOURCE, errors: errors.items };
  }

  listener.start();
  await listener.ready;
  const listening = () => Object.values(listener.status()).some((c) => c.state === "listening");
  const started = performance.now();
  if (listening()) {
    // Ends early only if every interface's capture ended by itself.
    const deadline = started + options.seconds * 1000;
    while (listening() && performance.now() < deadline) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(500, deadline - performance.now())),
      );
    }
    data.capture.seconds = Math.round((performance.now() - started) / 100) / 10;
  }
  await listener.stop();

  const snapshot = listener.snapshot();
  for (const [name, capture] of Object.entries(listener.status())) {
    const { state, ...counts } = capture;
    const report: CaptureReport = {
      state: state === "listening" ? "listened" : state === "failed" ? "failed" : "stopped",
      ...counts,
    };
    data.capture.interfaces[name] = report;
    if (capture.failure === "permission") data.capture.permission_denied = true;
    if (report.state !== "failed") data.interfaces[name] = { neighbours: snapshot[name] ?? [] };
  }
  return { data, source: SOURCE, errors: errors.items };
}
