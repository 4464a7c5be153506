import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadRules, loadRulesDirectory, parseRulesFile, shippedRulesDirectory } from "./load.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-rules-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function dir(name: string, files: Record<string, string>): string {
  const path = join(scratch, name);
  mkdirSync(path, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
}

const good = `rules:
  - name: web
    match:
      basename: "^web$"
    agent:
      class: nagios
      type: check_tcp
      params:
        p: "{{port}}"
`;

describe("loading rules files", () => {
  it("loads every shipped rule without error", () => {
    const { rules, errors } = loadRules();
    expect(errors).toEqual([]);
    const names = rules.map((r) => r.spec.name);
    for (const name of ["sshd", "nginx", "apache2", "postgresql", "mysql", "redis", "neo4j"])
      expect(names).toContain(name);
    for (const name of ["bind", "chrony", "ntpd", "cron", "rsyslog", "docker", "generic-tcp"])
      expect(names).toContain(name);
    expect(rules.every((r) => r.origin === "shipped")).toBe(true);
    expect(rules[0]?.source).toMatch(new RegExp(`^${shippedRulesDirectory()}/.*\\.yaml:\\d+$`));
  });

  it("reports a YAML syntax error with file and line, and still loads the other files", () => {
    const path = dir("syntax", {
      "a.yaml": good,
      "b.yaml": 'rules:\n  - name: broken\n    match: { basename: "x"\n    agent: 1\n',
    });
    const { rules, errors } = loadRulesDirectory(path, "operator");
    expect(rules.map((r) => r.spec.name)).toEqual(["web"]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.file).toBe(join(path, "b.yaml"));
    expect(errors[0]?.message).toMatch(/^YAML syntax error/);
    expect(errors[0]?.line).toBeGreaterThanOrEqual(3);
    expect(errors[0]?.column).toBeGreaterThan(0);
  });

  it("names the property and line of a schema violation", () => {
    const text = good.replace("      class: nagios", "      class: nagios\n      colour: red");
    const { rules, errors } = parseRulesFile(text, "x.yaml", "operator");
    expect(rules).toEqual([]);
    expect(errors).toEqual([
      { file: "x.yaml", line: 7, column: 7, message: expect.stringContaining('"colour"') },
    ]);
    const badClass = parseRulesFile(
      good.replace("class: nagios", "class: snmp"),
      "y.yaml",
      "operator",
    );
    expect(badClass.errors[0]).toMatchObject({
      line: 6,
      message: expect.stringMatching(/class.*ocf/),
    });
  });

  it("points at the key of an empty value", () => {
    const text = "rules:\n  - name: x\n    match:\n    agent: { class: nomon }\n";
    expect(parseRulesFile(text, "e.yaml", "operator").errors).toEqual([
      { file: "e.yaml", line: 3, column: 5, message: "/rules/0/match: must be object" },
    ]);
  });

  it("requires provider and type for an OCF agent", () => {
    const text = good.replace("class: nagios\n      type: check_tcp", "class: ocf");
    const { errors } = parseRulesFile(text, "z.yaml", "operator");
    expect(errors.map((e) => e.message).join()).toMatch(/provider/);
  });

  it("refuses invalid and catastrophic regexes with the file and line, keeping other rules", () => {
    const text = `${good}  - name: bad
    match:
      argv: "(a+)+$"
    agent: { class: nomon }
  - name: invalid
    match:
      exe: "([a-z"
    agent: { class: nomon }
`;
    const { rules, errors } = parseRulesFile(text, "r.yaml", "operator");
    expect(rules.map((r) => r.spec.name)).toEqual(["web"]);
    expect(errors[0]).toMatchObject({
      line: 12,
      message: expect.stringMatching(/nested quantifier/),
    });
    expect(errors[1]).toMatchObject({
      line: 16,
      message: expect.stringMatching(/invalid regular/),
    });
    expect(errors).toHaveLength(2);
    const long = parseRulesFile(
      good.replace('"^web$"', `"${"a".repeat(201)}"`),
      "l.yaml",
      "operator",
    );
    expect(long.errors[0]).toMatchObject({
      line: 4,
      message: expect.stringMatching(/basename.*must NOT have more than 200/),
    });
  });

  it("lets an operator rule replace the shipped rule of the same name", () => {
    const operator = dir("operator", {
      "sshd.yaml": good.replace("name: web", "name: sshd"),
    });
    const { rules, errors } = loadRules({ operatorDir: operator });
    expect(errors).toEqual([]);
    const sshd = rules.filter((r) => r.spec.name === "sshd");
    expect(sshd).toHaveLength(1);
    expect(sshd[0]?.origin).toBe("operator");
    expect(sshd[0]?.source).toBe(`${join(operator, "sshd.yaml")}:2`);
  });

  it("reports a rule name defined twice in one directory", () => {
    const path = dir("twice", { "a.yaml": good, "b.yaml": good });
    const { rules, errors } = loadRulesDirectory(path, "operator");
    expect(rules).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: join(path, "b.yaml"), line: 2 });
  });
});
