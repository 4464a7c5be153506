import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { writeStdout } from "../output.js";

export function registerConfig(program: Command): void {
  const config = program
    .command("config")
    .description("check a configuration file, or print an example of one")
    .addHelpText(
      "after",
      "\nOne YAML file configures assim cma, probe, export, api and up (docs/configuration.md);\n" +
        "give it with --config FILE or ASSIM_CONFIG. Options on the command line win.\n\n" +
        "  assim config example > /etc/assim/assim.yaml\n" +
        "  assim config check /etc/assim/assim.yaml",
    );

  config
    .command("check")
    .description("check configuration files against the schema and the commands' rules")
    .argument("<file...>", "YAML configuration files (-: standard input)")
    .addHelpText(
      "after",
      "\nPrints FILE: valid and exits 0, or one line per problem on stderr,\n" +
        "FILE:LINE:COLUMN: key.path: what is wrong (what is expected), and exits 1.\n\n" +
        "  assim config check /etc/assim/assim.yaml\n" +
        "  /etc/assim/assim.yaml:12:5: cma.heartbeat.warn: interval 5s is not shorter than warn 3s (expected interval < warn < dead)",
    )
    .action(async (files: string[]) => {
      const { checkConfigFile, checkConfigText } = await import("../../lib/config/check.js");
      const { formatConfigError } = await import("../../lib/config/types.js");
      let failed = false;
      for (const file of files) {
        const { errors } =
          file === "-" ? checkConfigText(readFileSync(0, "utf8"), "-") : checkConfigFile(file);
        if (errors.length === 0) {
          await writeStdout(`${file}: valid\n`);
          continue;
        }
        failed = true;
        process.stderr.write(`${errors.map(formatConfigError).join("\n")}\n`);
      }
      if (failed) process.exitCode = 1;
    });

  config
    .command("example")
    .description("print a complete, commented example configuration")
    .addHelpText("after", "\n  assim config example > assim.yaml && assim config check assim.yaml")
    .action(async () => {
      const { EXAMPLE_CONFIG } = await import("../../lib/config/example.js");
      await writeStdout(EXAMPLE_CONFIG);
    });
}
