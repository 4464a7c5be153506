import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../../lib/package-root.js";

/** The folder holding pom.xml and Launcher.java, in the source tree and in an installed package. */
export function neo4jServerDir(): string {
  return join(packageRoot(), "cma", "graph", "neo4j-server");
}

export const pomPath = (): string => join(neo4jServerDir(), "pom.xml");
export const launcherSourcePath = (): string => join(neo4jServerDir(), "Launcher.java");

export interface Neo4jCoordinates {
  /** org.neo4j:neo4j version, e.g. 5.26.30 */
  neo4jVersion: string;
  /** org.apache.maven.plugins:maven-dependency-plugin version that copies the jars */
  dependencyPluginVersion: string;
}

/** Reads the pinned versions from pom.xml, the one place they are written. */
export function readCoordinates(
  pomText: string = readFileSync(pomPath(), "utf8"),
): Neo4jCoordinates {
  const property = (name: string): string => {
    const match = new RegExp(`<${name.replace(/\./g, "\\.")}>\\s*([^<\\s]+)\\s*</`).exec(pomText);
    if (!match?.[1]) throw new Error(`pom.xml has no <${name}> property`);
    if (!/^[0-9][0-9A-Za-z.-]*$/.test(match[1])) {
      throw new Error(`pom.xml: <${name}> is not a version: "${match[1]}"`);
    }
    return match[1];
  };
  return {
    neo4jVersion: property("neo4j.version"),
    dependencyPluginVersion: property("dependency-plugin.version"),
  };
}
