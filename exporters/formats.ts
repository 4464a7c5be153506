/** The export formats `assim export --format` knows. A new format registers here. */
import { ansibleExporter } from "./ansible/ansible.js";
import { ExporterRegistry } from "./exporter.js";
import { glpiExporter, itilExporter } from "./itil/itil.js";
import { jsonExporter } from "./json/json.js";
import { nagiosExporter } from "./nagios/nagios.js";
import { type ReportsOptions, reportsExporter } from "./reports/reports.js";

export interface ExporterOptions {
  reports?: ReportsOptions;
}

export function defaultExporters(options: ExporterOptions = {}): ExporterRegistry {
  return new ExporterRegistry([
    ansibleExporter,
    glpiExporter,
    itilExporter,
    jsonExporter,
    nagiosExporter,
    reportsExporter(options.reports),
  ]);
}
