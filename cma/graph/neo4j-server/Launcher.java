// Starts a Neo4j Community DBMS embedded in this JVM, with only the Bolt connector, on 127.0.0.1.
//
// Protocol with the parent process (cma/graph/neo4j-server/launcher.ts):
//   stdout: exactly one "READY bolt://127.0.0.1:PORT" line once the default database answers,
//           then "STOPPED" after a clean shutdown.
//   stderr: "FAILED <reason>" and the cause when the DBMS cannot start (exit 1),
//           "assim-neo4j: ..." for bad arguments (exit 2).
//   SIGTERM / SIGINT (or EOF on stdin with --stop-on-stdin-eof): shut down cleanly, exit 0.
//
// Arguments: --home DIR [--port N (0: ephemeral)] [--pagecache SIZE] [--tx-memory SIZE] [--auth]
// With --auth the password of the "neo4j" user is set from the NEO4J_PASSWORD environment variable
// (never from the command line, which other users can read).

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import sun.misc.Signal;

public final class Launcher {
  private static final String HOST = "127.0.0.1";
  private static final long AVAILABLE_TIMEOUT_MS = 120_000;

  private static final class Options {
    Path home;
    int port = 7687;
    long pagecache = SettingValueParsers.BYTES.parse("256m");
    Long txMemory;
    boolean auth;
    boolean stopOnStdinEof;
  }

  public static void main(String[] args) {
    Options options = parseOrExit(args);
    String password = null;
    if (options.auth) {
      password = System.getenv("NEO4J_PASSWORD");
      if (password == null || password.isEmpty()) usage("--auth needs the password in NEO4J_PASSWORD");
    }

    CountDownLatch stopRequested = new CountDownLatch(1);
    // Handling the signals ourselves (rather than only a shutdown hook) lets the JVM exit 0.
    Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
    Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
    if (options.stopOnStdinEof) watchStdin(stopRequested);

    DatabaseManagementService dbms;
    try {
      Files.createDirectories(options.home);
      dbms = configure(options).build();
    } catch (Throwable error) {
      fail("the DBMS did not start", error);
      return;
    }
    AtomicBoolean stopped = new AtomicBoolean(false);
    // Any other way out (SIGHUP, System.exit elsewhere) still closes the store cleanly.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdownOnce(dbms, stopped)));

    int port;
    try {
      GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
      if (!db.isAvailable(AVAILABLE_TIMEOUT_MS)) {
        throw new IllegalStateException(
            "the default database was not available after " + AVAILABLE_TIMEOUT_MS + " ms");
      }
      if (password != null) setPassword(dbms, password);
      port = boltPort(db);
    } catch (Throwable error) {
      shutdownOnce(dbms, stopped);
      fail("the DBMS started but is not usable", error);
      return;
    }

    System.out.println("READY bolt://" + HOST + ":" + port);
    System.out.flush();
    try {
      stopRequested.await();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
    shutdownOnce(dbms, stopped);
    System.out.println("STOPPED");
    System.out.flush();
    System.exit(0);
  }

  private static DatabaseManagementServiceBuilder configure(Options options) {
    DatabaseManagementServiceBuilder builder =
        new DatabaseManagementServiceBuilder(options.home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, options.port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, options.port))
            .setConfig(HttpConnector.enabled, false)
            .setConfig(HttpsConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, options.auth)
            // Nothing leaves the machine.
            .setConfig(GraphDatabaseSettings.udc_enabled, false)
            // Without this every transaction log file takes ~250 MB on disk up front.
            .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
            .setConfig(GraphDatabaseSettings.pagecache_memory, options.pagecache)
            .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
            .setConfig(
                GraphDatabaseSettings.logical_log_rotation_threshold,
                SettingValueParsers.BYTES.parse("25m"))
            .setConfig(GraphDatabaseSettings.log_queries, GraphDatabaseSettings.LogQueryLevel.OFF)
            .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
            .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5));
    if (options.txMemory != null) {
      builder.setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, options.txMemory);
    }
    return builder;
  }

  private static void setPassword(DatabaseManagementService dbms, String password) {
    dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
        .executeTransactionally(
            "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
            Map.of("password", password));
  }

  private static int boltPort(GraphDatabaseService db) {
    ConnectorPortRegister ports =
        ((GraphDatabaseAPI) db).getDependencyResolver().resolveDependency(ConnectorPortRegister.class);
    var address = ports.getLocalAddress(ConnectorType.BOLT);
    if (address == null) throw new IllegalStateException("the Bolt connector did not register a port");
    return address.getPort();
  }

  private static void shutdownOnce(DatabaseManagementService dbms, AtomicBoolean stopped) {
    if (stopped.compareAndSet(false, true)) dbms.shutdown();
  }

  private static void watchStdin(CountDownLatch stopRequested) {
    Thread watcher =
        new Thread(
            () -> {
              try {
                while (System.in.read() != -1) {
                  // Input is ignored; only its end matters (the parent process went away).
                }
              } catch (java.io.IOException ignored) {
                // A broken stdin means the same thing as its end.
              }
              stopRequested.countDown();
            },
            "stdin-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static Options parseOrExit(String[] args) {
    Options options = new Options();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--home" -> options.home = Path.of(value(args, ++i, arg)).toAbsolutePath();
        case "--port" -> options.port = port(value(args, ++i, arg));
        case "--pagecache" -> options.pagecache = bytes(value(args, ++i, arg), arg);
        case "--tx-memory" -> options.txMemory = bytes(value(args, ++i, arg), arg);
        case "--auth" -> options.auth = true;
        case "--stop-on-stdin-eof" -> options.stopOnStdinEof = true;
        default -> usage("unknown argument " + arg);
      }
    }
    if (options.home == null) usage("--home DIR is required");
    return options;
  }

  private static String value(String[] args, int index, String name) {
    if (index >= args.length) usage(name + " needs a value");
    return args[index];
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 0 && port <= 65535) return port;
    } catch (NumberFormatException ignored) {
      // Reported below with the value.
    }
    usage("--port must be 0..65535, got \"" + text + "\"");
    return -1;
  }

  private static long bytes(String text, String name) {
    try {
      return SettingValueParsers.BYTES.parse(text);
    } catch (RuntimeException error) {
      usage(name + " must be a size such as 256m or 2g, got \"" + text + "\"");
      return -1;
    }
  }

  private static void usage(String message) {
    System.err.println("assim-neo4j: " + message);
    System.err.println(
        "usage: Launcher --home DIR [--port N] [--pagecache SIZE] [--tx-memory SIZE] [--auth]"
            + " [--stop-on-stdin-eof]");
    System.exit(2);
  }

  private static void fail(String what, Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    System.err.println("FAILED " + what + ": " + root);
    error.printStackTrace(System.err);
    System.err.flush();
    System.exit(1);
  }
}
