/**
 * The `reports` format: the unmonitored services audit and the drift report
 * (the changes since the previous export), each as JSON, Markdown and HTML.
 */
import { loadRules } from "../../cma/monitoring/load.js";
import type { Rule } from "../../cma/monitoring/types.js";
import type { Exporter, RenderedFiles } from "../exporter.js";
import { canonicalJson } from "../records.js";
import { driftEntries } from "../state.js";
import { driftReport, namesOf } from "./drift.js";
import { renderReport } from "./render.js";
import { unmonitoredReport } from "./unmonitored.js";

export interface ReportsOptions {
  /** The auto-monitoring rules that explain why a service is unmonitored (default: the shipped ones). */
  rules?: () => readonly Rule[];
  /** Rule flags the operator enabled (generic-tcp). */
  flags?: ReadonlySet<string>;
}

/** The files of one report in every form. */
export function reportFiles(name: "unmonitored" | "drift", report: unknown): RenderedFiles {
  return {
    [`${name}.json`]: canonicalJson(report),
    [`${name}.md`]: renderReport(name, "md", report),
    [`${name}.html`]: renderReport(name, "html", report),
  };
}

export function reportsExporter(options: ReportsOptions = {}): Exporter {
  let rules: readonly Rule[] | undefined;
  return {
    name: "reports",
    description:
      "audit reports: unmonitored services and drift since the last export (JSON, Markdown, HTML)",
    render(records, changes, context) {
      rules ??= options.rules ? options.rules() : loadRules().rules;
      const unmonitored = unmonitoredReport(records, rules, options.flags ?? new Set(), context.at);
      const names = namesOf([...records, ...changes.removed]);
      const drift = driftReport(
        driftEntries(changes, context.at, context.since),
        names,
        context.at,
      );
      return { ...reportFiles("unmonitored", unmonitored), ...reportFiles("drift", drift) };
    },
  };
}
