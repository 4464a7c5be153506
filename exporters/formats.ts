/** The export formats `assim export --format` knows. A new format registers here. */
import { ExporterRegistry } from "./exporter.js";
import { jsonExporter } from "./json/json.js";
import { type ReportsOptions, reportsExporter } from "./reports/reports.js";

export interface ExporterOptions {
  reports?: ReportsOptions;
}

export function defaultExporters(options: ExporterOptions = {}): ExporterRegistry {
  return new ExporterRegistry([jsonExporter, reportsExporter(options.reports)]);
}
