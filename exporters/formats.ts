/** The export formats `assim export --format` knows. A new format registers here. */
import { ExporterRegistry } from "./exporter.js";
import { jsonExporter } from "./json/json.js";

export function defaultExporters(): ExporterRegistry {
  return new ExporterRegistry([jsonExporter]);
}
