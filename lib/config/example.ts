/** The configuration `assim config example` prints: every key, commented, at its default where it has one. */
export const EXAMPLE_CONFIG = `# assim configuration (docs/configuration.md). Every key is optional: a key left
# out keeps the command's default, and an option given on the command line wins.
# Check a file with: assim config check FILE
# Use it with: assim cma --config FILE (also probe, up, export, api), or ASSIM_CONFIG=FILE

# Graph store, keys, events, status (ASSIM_DATA_DIR, when set, wins).
data_dir: /var/lib/assim

# assim cma
cma:
  bind: 0.0.0.0:1984          # local address and UDP port
  trust: tofu                 # tofu (trust on first use) or approve (assim keys approve)
  heartbeat:                  # durations: 500ms, 1s, 5m, 1h30m; interval < warn < dead
    interval: 1s
    warn: 3s                  # a heartbeat later than this is reported late
    dead: 10s                 # a partner silent this long is reported dead
  discovery:
    interval: 5m              # how often probes rediscover (whole seconds)
    types: [os, cpu, netconfig, arpcache, tcpdiscovery, packages, monitoringagents, switch]
    switch_seconds: 32        # how long one LLDP/CDP capture listens
  multicast: false            # true, or the IPv4 address of the interface to answer on
  monitoring:
    enabled: true             # false: set up no monitors (--no-monitoring)
    # rules_dir: /etc/assim/rules     # operator rules replace shipped rules of the same name
    enable_rules: []          # e.g. [generic-tcp]
  events:
    log: /var/lib/assim/events.jsonl
    webhooks: []              # e.g. [http://127.0.0.1:9000/events]
    # exec_dir: /etc/assim/events.d   # each executable runs per event, event JSON on stdin
  status_file: /var/lib/assim/cma-status.json
  metrics: 127.0.0.1:9184     # Prometheus metrics at http://127.0.0.1:9184/metrics
  exports:                    # export from the CMA on a schedule (leave out for none)
    every: 5m
    out: /srv/assim/out
    formats: [ansible, glpi, itil, json, nagios, reports]

# assim probe
probe:
  cma: 10.0.0.1:1984          # the CMA's IP[:PORT], or multicast
  cma_key: /etc/assim/cma.pub # the CMA's DATA_DIR/keys/cma.pub
  bind: 0.0.0.0:1984
  status_file: /var/lib/assim/probe-status.json

# assim export (its --once on the command line wins over every)
exporters:
  out: /srv/assim/out
  every: 5m
  formats: [ansible, glpi, itil, json, nagios, reports]
  # rules_dir: /etc/assim/rules
  enable_rules: []
  # push:                     # credentials from the environment (exporters/itil/README.md)
  #   target: servicenow      # servicenow or glpi
  #   url: https://example.service-now.com
  #   dry_run: true

# assim api (no authentication: keep it on loopback)
api:
  listen: 127.0.0.1:8984
  events_log: /var/lib/assim/events.jsonl
  export_dir: /srv/assim/out

# assim up (its output directory is exporters.out, its monitoring cma.monitoring.enabled)
up:
  port: 1984                  # the CMA's UDP port on 127.0.0.1
  api: 127.0.0.1:8984         # the API, web view and /metrics
  export_every: 1m
  # lab:                      # instead of this host: a lab in network namespaces (root)
  #   hosts: 6
  #   switches: 2
  #   name: assim

# Neo4j instead of the embedded store; the password only from NEO4J_PASSWORD.
# NEO4J_URI, NEO4J_USER and NEO4J_DATABASE, when set, win.
# neo4j:
#   uri: neo4j://127.0.0.1:7687
#   user: neo4j
#   database: neo4j
`;
