import neo4j from "neo4j-driver";

export type BoltProbe =
  | { answers: true; agent: string; protocol: string }
  | { answers: false; error: string };

/**
 * Connects once and asks the server who it is. A server that refuses our credentials
 * still answers Bolt, which is what a status check wants to know.
 */
export async function probeBolt(
  uri: string,
  auth?: { user: string; password: string },
  timeoutMs = 5_000,
): Promise<BoltProbe> {
  const driver = neo4j.driver(uri, auth ? neo4j.auth.basic(auth.user, auth.password) : undefined, {
    connectionTimeout: timeoutMs,
    connectionAcquisitionTimeout: timeoutMs,
    maxConnectionPoolSize: 1,
  });
  try {
    const info = await driver.getServerInfo();
    return {
      answers: true,
      agent: info.agent ?? "unknown",
      protocol: String(info.protocolVersion ?? "?"),
    };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code?.startsWith("Neo.ClientError.Security.")) {
      return { answers: true, agent: "unknown (authentication failed)", protocol: "?" };
    }
    return { answers: false, error: message };
  } finally {
    await driver.close();
  }
}
