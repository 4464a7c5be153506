/**
 * The exporter plug-in interface and the registry of formats. An exporter
 * renders files from the full records and the change set; it never writes:
 * the export run (run.ts) writes what every format rendered, atomically, and
 * only once all of them rendered without error.
 */
import type { ChangeSet } from "./diff.js";
import type { ExportRecord } from "./records.js";

export interface ExportContext {
  /** When this export runs (ISO 8601 UTC). */
  at: string;
  /** When the last successful export into the same directory ran; null for the first. */
  since: string | null;
  /**
   * Reports something the format left out or changed (a value it could not
   * use safely): the export run collects these per format into its summary,
   * and `assim export` logs each one. Absent when nobody listens.
   */
  warn?: (message: string) => void;
}

/**
 * Text produced piece by piece while it is written: for files too large to
 * hold as one string (V8 strings stop at 2^29 - 24 characters; records.json
 * of 100,000 hosts is larger). `chunks` is called once, when the file is written.
 */
export class ChunkedText {
  constructor(readonly chunks: () => Iterable<string>) {}

  /** The whole text at once, for small outputs and tests. */
  toString(): string {
    return [...this.chunks()].join("");
  }
}

/** Files by path relative to the format's directory (OUT/<name>/), e.g. "records.json". */
export type RenderedFiles = Record<string, string | Uint8Array | ChunkedText>;

export interface Exporter {
  /** The format's name: `--format NAME`, and its directory OUT/NAME/. */
  name: string;
  /** One line for --help. */
  description: string;
  render(
    records: readonly ExportRecord[],
    changes: ChangeSet,
    context: ExportContext,
  ): RenderedFiles | Promise<RenderedFiles>;
}

const FORMAT_NAME = /^[a-z][a-z0-9-]*$/;

/** A format that is not registered: a usage mistake. */
export class UnknownFormatError extends Error {
  override name = "UnknownFormatError";
  constructor(
    readonly format: string,
    readonly valid: readonly string[],
  ) {
    super(`unknown export format "${format}"; valid formats: ${valid.join(", ")}`);
  }
}

export class ExporterRegistry {
  private readonly exporters = new Map<string, Exporter>();

  constructor(exporters: readonly Exporter[] = []) {
    for (const exporter of exporters) this.register(exporter);
  }

  register(exporter: Exporter): void {
    if (!FORMAT_NAME.test(exporter.name)) {
      throw new Error(`export format name "${exporter.name}" must match ${FORMAT_NAME}`);
    }
    if (this.exporters.has(exporter.name)) {
      throw new Error(`export format "${exporter.name}" is registered twice`);
    }
    this.exporters.set(exporter.name, exporter);
  }

  names(): string[] {
    return [...this.exporters.keys()].sort();
  }

  /** Every registered exporter, by name. */
  all(): Exporter[] {
    return this.names().map((name) => this.exporters.get(name) as Exporter);
  }

  get(name: string): Exporter | undefined {
    return this.exporters.get(name);
  }

  /** The exporters of a list like "json,itil" (each once, in the order given). */
  resolve(list: string): Exporter[] {
    const names = [
      ...new Set(
        list
          .split(",")
          .map((n) => n.trim())
          .filter((n) => n !== ""),
      ),
    ];
    if (names.length === 0) throw new UnknownFormatError(list, this.names());
    return names.map((name) => {
      const exporter = this.exporters.get(name);
      if (!exporter) throw new UnknownFormatError(name, this.names());
      return exporter;
    });
  }
}
