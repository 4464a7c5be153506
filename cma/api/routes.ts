/**
 * Every HTTP route that answers a catalogue query: one under /api/queries/<name>
 * per query, plus resource-style aliases where a query reads naturally as a
 * resource. The app, the OpenAPI document and the query listing all come from
 * this table and the catalogue, so none of them can drift from the others.
 */
import { findQuery, QUERIES, type QueryDefinition } from "../queries/catalogue.js";

export interface QueryRoute {
  /** OpenAPI path template: "/api/systems/{host}/dependencies". */
  path: string;
  query: QueryDefinition;
  operationId: string;
  summary: string;
  /** Query parameters taken from the path, in path order; the rest come from the query string. */
  pathParams: readonly string[];
}

interface Alias {
  path: string;
  query: string;
  operationId: string;
  summary: string;
}

const ALIASES: readonly Alias[] = [
  {
    path: "/api/systems",
    query: "systems",
    operationId: "listSystems",
    summary: "All systems with their status",
  },
  {
    path: "/api/systems/down",
    query: "down-systems",
    operationId: "listDownSystems",
    summary: "Systems that are down",
  },
  {
    path: "/api/systems/{host}/dependencies",
    query: "host-dependencies",
    operationId: "getSystemDependencies",
    summary: "What a host uses and what uses it",
  },
  {
    path: "/api/systems/{host}/services/{port}/dependency-tree",
    query: "dependency-tree",
    operationId: "getServiceDependencyTreeByPort",
    summary: "Transitive dependency tree of the service listening on a host's port",
  },
  {
    path: "/api/processes/{process}/dependency-tree",
    query: "dependency-tree",
    operationId: "getProcessDependencyTree",
    summary: "Transitive dependency tree of a process (key URL-encoded)",
  },
  {
    path: "/api/unmonitored",
    query: "unmonitored-services",
    operationId: "listUnmonitoredServices",
    summary: "Listening processes no monitor watches",
  },
  {
    path: "/api/ips/{ip}",
    query: "find-ip",
    operationId: "findIp",
    summary: "Who has an IP address",
  },
  {
    path: "/api/macs/{mac}",
    query: "find-mac",
    operationId: "findMac",
    summary: "Which NICs have a MAC address",
  },
  {
    path: "/api/ownerless-ips",
    query: "ownerless-ips",
    operationId: "listOwnerlessIps",
    summary: "Addresses in use that no known system owns",
  },
  {
    path: "/api/switch-ports",
    query: "switch-ports",
    operationId: "listSwitchPorts",
    summary: "Which host NIC sits on which switch port",
  },
  {
    path: "/api/packages",
    query: "packages",
    operationId: "findPackages",
    summary: "Installed packages by name or prefix",
  },
  {
    path: "/api/counts",
    query: "node-counts",
    operationId: "countNodes",
    summary: "Node counts by label",
  },
];

const PATH_PARAM = /\{([^}]+)\}/g;

function pathParamsOf(path: string): string[] {
  return [...path.matchAll(PATH_PARAM)].map((m) => m[1] as string);
}

/** "host-dependencies" → "hostDependencies". */
function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Express 5 route syntax for an OpenAPI path template: "{host}" → ":host". */
export function expressPath(path: string): string {
  return path.replace(PATH_PARAM, ":$1");
}

/** The canonical route of a query. */
export function queryPath(name: string): string {
  return `/api/queries/${name}`;
}

function buildRoutes(queries: readonly QueryDefinition[]): QueryRoute[] {
  const routes: QueryRoute[] = queries.map((query) => ({
    path: queryPath(query.name),
    query,
    operationId: `query${camel(`-${query.name}`)}`,
    summary: query.description,
    pathParams: [],
  }));
  for (const alias of ALIASES) {
    const query = findQuery(alias.query);
    if (!query) throw new Error(`route ${alias.path} names unknown query ${alias.query}`);
    const pathParams = pathParamsOf(alias.path);
    for (const name of pathParams) {
      if (!query.params.some((p) => p.name === name)) {
        throw new Error(`route ${alias.path}: {${name}} is not a parameter of ${query.name}`);
      }
    }
    routes.push({ ...alias, query, pathParams });
  }
  return routes;
}

/** Every query route, canonical ones first (in catalogue order), then the aliases. */
export const QUERY_ROUTES: readonly QueryRoute[] = buildRoutes(QUERIES);
