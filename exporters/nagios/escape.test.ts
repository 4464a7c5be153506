/** Names, free text and check arguments made safe; the templates' discipline. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NAME, safeArgument, safeName, safeText, uniqueNames } from "./escape.js";
import { helpers, TEMPLATE_FILES, templateSource } from "./render.js";
import { checkOf } from "./services.js";

describe("escaping", () => {
  it("any text becomes a safe name or the fallback", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const name = safeName(text, "fallback");
        expect(name).toMatch(NAME);
        expect(name.length).toBeLessThanOrEqual(64);
      }),
    );
    expect(safeName("web-01.example.net", "x")).toBe("web-01.example.net");
    expect(safeName("-=+@evil host;$x", "x")).toBe("evil_host_x");
    expect(safeName("$$$", "host-1")).toBe("host-1");
  });

  it("any text becomes one directive value: no line break, control character, macro or comment", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const value = safeText(text, "fallback");
        // biome-ignore lint/suspicious/noControlCharactersInRegex: what must never appear
        expect(value).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029$`]/);
        expect(value).not.toMatch(/\\(?!;)/);
        expect(value.replace(/\\;/g, "")).not.toContain(";");
        expect(value).toBe(value.trim());
        expect(value.length).toBeGreaterThan(0);
      }),
    );
    expect(safeText("a;b\n}\ndefine host {", "x")).toBe("a\\;b } define host {");
    expect(safeText("cost $5 `id` C:\\dir\\", "x")).toBe("cost 5 id C:dir");
    expect(safeText(" \n\t ", "fallback")).toBe("fallback");
  });

  it("names that sanitise alike all get a stable suffix, whatever the order", () => {
    const items = [
      { key: "host:1", name: "web" },
      { key: "host:2", name: "web" },
      { key: "host:3", name: "db" },
    ];
    const names = uniqueNames(items);
    expect(names.get("host:3")).toBe("db");
    expect(names.get("host:1")).toMatch(/^web-[0-9a-f]{8}$/);
    expect(names.get("host:1")).not.toBe(names.get("host:2"));
    expect(uniqueNames([...items].reverse())).toEqual(names);
    // Case does not tell Nagios names apart in every place: WEB and web collide too.
    expect(
      uniqueNames([
        { key: "a", name: "WEB" },
        { key: "b", name: "web" },
      ]).get("a"),
    ).not.toBe("WEB");
  });

  it("check arguments: plain values pass, shell, macro and option injections are refused", () => {
    expect(safeArgument("10.0.0.1")).toBe("10.0.0.1");
    expect(safeArgument("/health")).toBe("/health");
    for (const bad of ["-x", "a b", "a;b", "$USER1$", "a!b", "`id`", "$(id)", "a\nb", "", "a'b"]) {
      expect(safeArgument(bad), bad).toBeNull();
    }
    expect(checkOf("check_tcp", ["H=0.0.0.0", "p=80"])).toEqual({
      plugin: "check_tcp",
      args: ["-H", "$HOSTADDRESS$", "-p", "80"],
    });
    expect(checkOf("check_tcp", ["H=[::]", "p=80"])).toMatchObject({
      args: ["-H", "$HOSTADDRESS$", "-p", "80"],
    });
    expect(checkOf("check_tcp", ["H=10.0.0.5", "port=80"])).toMatchObject({
      args: ["-H", "10.0.0.5", "--port=80"],
    });
    expect(checkOf("check_tcp", ["H=127.0.0.1", "p=80"])).toHaveProperty("passive");
    expect(checkOf("check_tcp", ["H=::1", "p=80"])).toHaveProperty("passive");
    expect(checkOf("check_tcp;id", ["p=80"])).toHaveProperty("refused");
    expect(checkOf("../check_x", [])).toHaveProperty("refused");
    expect(checkOf("check_tcp", ["p=80!-w!1"])).toHaveProperty("refused");
    expect(checkOf("check_tcp", ["x y=1"])).toHaveProperty("refused");
    expect(checkOf("check_tcp", ["H=$(id)"])).toHaveProperty("refused");
    expect(
      checkOf(
        "check_tcp",
        Array.from({ length: 33 }, (_, i) => `p${i}=1`),
      ),
    ).toHaveProperty("refused");
  });
});

describe("templates", () => {
  it("insert values only through the checking helpers", () => {
    const allowed = new Set(Object.keys(helpers));
    for (const file of TEMPLATE_FILES) {
      const source = templateSource(file);
      for (const [mustache] of source.matchAll(/\{\{[^}]*\}\}/g)) {
        const ok =
          /^\{\{(?:#each [a-z]+|\/each|#if [a-z]+|\/if|else)\}\}$/i.test(mustache) ||
          (/^\{\{([a-zA-Z]+) [a-zA-Z]+\}\}$/.test(mustache) &&
            allowed.has(mustache.slice(2).split(" ")[0] as string));
        expect(ok, `${file}: ${mustache}`).toBe(true);
      }
      expect(source, file).not.toContain("{{{");
    }
  });

  it("the helpers refuse what the model should never hand them", () => {
    expect(() => helpers.name("a b")).toThrow(/unsafe value for name/);
    expect(() => helpers.name("x\n}")).toThrow();
    expect(() => helpers.names([])).toThrow();
    expect(() => helpers.names(["ok", "no,pe"])).toThrow();
    expect(() => helpers.address("10.0.0.1\naddress 6.6.6.6")).toThrow();
    expect(helpers.address("2001:db8::1")).toBe("2001:db8::1");
    expect(() => helpers.text("a;b")).toThrow();
    expect(helpers.text("a\\;b")).toBe("a\\;b");
    expect(() => helpers.text("a\\")).toThrow();
    expect(() => helpers.text("$USER1$")).toThrow();
    expect(() => helpers.text("a\nb")).toThrow();
    expect(() => helpers.checkCommand("assim_check_tcp!-p!80;id")).toThrow();
    expect(() => helpers.checkCommand("check_tcp!80")).toThrow();
    expect(helpers.checkCommand("assim_check_tcp!-H!$HOSTADDRESS$!-p!80")).toBe(
      "assim_check_tcp!-H!$HOSTADDRESS$!-p!80",
    );
    expect(() => helpers.commandLine("$USER1$/check_tcp $ARG1$; rm -rf /")).toThrow();
  });
});
