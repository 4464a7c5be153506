import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RingPartners } from "../../probe/heartbeat/ring-partners.js";
import type { RingCommand } from "../server/ports.js";
import { GLOBAL_RING, RingSet, switchRingName } from "./ring-set.js";

type Operation =
  | { op: "join"; member: number; switch: number | null }
  | { op: "leave"; member: number }
  | { op: "move"; member: number; switch: number | null };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    op: fc.constant("join" as const),
    member: fc.integer({ min: 0, max: 30 }),
    switch: fc.option(fc.integer({ min: 0, max: 3 })),
  }),
  fc.record({ op: fc.constant("leave" as const), member: fc.integer({ min: 0, max: 30 }) }),
  fc.record({
    op: fc.constant("move" as const),
    member: fc.integer({ min: 0, max: 30 }),
    switch: fc.option(fc.integer({ min: 0, max: 3 })),
  }),
);

async function apply(rings: RingSet, step: Operation): Promise<RingCommand[]> {
  const member = `m${step.member}`;
  if (step.op === "leave") return rings.leave(member);
  const switchKey = step.switch === null ? null : `sw${step.switch}`;
  return step.op === "join" ? rings.join(member, switchKey) : rings.moveSwitch(member, switchKey);
}

/** What each member's probe ends up with, applying commands the way the probe does. */
function probesAfter(commands: RingCommand[]): Map<string, RingPartners> {
  const probes = new Map<string, RingPartners>();
  for (const command of commands) {
    let probe = probes.get(command.to);
    if (!probe) {
      probe = new RingPartners();
      probes.set(command.to, probe);
    }
    if (command.type === "SEND_EXPECT_HB")
      probe.apply({
        ring: command.body.ring,
        version: command.body.version,
        partners: (command.body.partners ?? []).map((member) => ({
          key: member,
          machine_id: member,
          addr: "",
        })),
      });
    else probe.stop({ ring: command.body.ring, version: command.body.version });
  }
  return probes;
}

function partnerSets(probe: RingPartners | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [ring, state] of Object.entries(probe?.view() ?? {}))
    if (state.partners.length) out[ring] = [...state.partners].sort();
  return out;
}

function expected(rings: RingSet, member: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [ring, partners] of Object.entries(rings.partnersOf(member)))
    if (partners.length) out[ring] = [...partners].sort();
  return out;
}

describe("RingSet", () => {
  it("keeps every member's partners equal to the rings, whatever the order commands arrive in", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { maxLength: 120 }),
        fc.integer(),
        async (steps, seed) => {
          const rings = new RingSet();
          const sent: RingCommand[] = [];
          const left = new Set<string>();
          for (const step of steps) {
            const member = `m${step.member}`;
            const wasMember = rings.isMember(member);
            const commands = await apply(rings, step);
            expect(commands.length).toBeLessThanOrEqual(7);
            if (step.op === "leave") {
              expect(commands.some((command) => command.to === member)).toBe(false);
              if (wasMember) left.add(member);
            } else left.delete(member);
            sent.push(...commands);
          }
          // Deliver in a shuffled order with duplicates: versions make it come out the same.
          const shuffled = [...sent, ...sent.filter((_, i) => (i + seed) % 3 === 0)];
          let state = seed;
          for (let i = shuffled.length - 1; i > 0; i--) {
            state = (state * 1103515245 + 12345) & 0x7fffffff;
            const j = state % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j] as RingCommand, shuffled[i] as RingCommand];
          }
          const probes = probesAfter(shuffled);
          for (const ring of Object.values(rings.view())) {
            for (const member of ring) {
              expect(partnerSets(probes.get(member))).toEqual(expected(rings, member));
              const partners = Object.values(rings.partnersOf(member)).flat();
              expect(new Set(partners).size).toBeLessThanOrEqual(4);
              for (const [name, list] of Object.entries(rings.partnersOf(member)))
                for (const partner of list)
                  expect(rings.partnersOf(partner)[name]).toContain(member);
            }
          }
          for (const member of left) expect(rings.isMember(member)).toBe(false);
        },
      ),
      {
        numRuns: 1000,
        // Found by this property: a member that left and came back without its switch kept its old switch partners.
        examples: [
          [
            [
              { op: "move", member: 1, switch: 1 },
              { op: "move", member: 0, switch: 1 },
              { op: "leave", member: 0 },
              { op: "move", member: 0, switch: null },
            ],
            0,
          ],
        ],
      },
    );
  });

  it("joins and leaves with a constant number of commands in a ring of 100,000", async () => {
    const rings = new RingSet();
    for (let i = 0; i < 100_000; i++) await rings.join(`m${i}`, `sw${i % 50}`);
    expect((await rings.join("new", "sw7")).length).toBe(6);
    expect((await rings.leave("m500")).length).toBe(4);
    expect(rings.partnersOf("new")[GLOBAL_RING]).toHaveLength(2);
    expect(rings.membersOfSwitch("sw7")).toContain("new");
    expect(rings.partnersOf("new")[switchRingName("sw7")]).toHaveLength(2);
  });

  it("restates a member's partner sets with newer versions and ignores a duplicate join", async () => {
    const rings = new RingSet();
    for (const member of ["a", "b", "c"]) await rings.join(member, null);
    const first = await rings.restate("b");
    const again = await rings.join("b", null);
    expect(again).toHaveLength(1);
    expect(again[0]?.body.version).toBeGreaterThan(first[0]?.body.version ?? Infinity);
    expect(again[0]?.body.partners?.sort()).toEqual(["a", "c"]);
    expect(rings.view()[GLOBAL_RING]).toHaveLength(3);
  });

  it("moves a member between switch rings and tells it to stop the old one", async () => {
    const rings = new RingSet();
    for (const member of ["a", "b", "c"]) await rings.join(member, "s1");
    await rings.join("d", "s2");
    const commands = await rings.moveSwitch("a", "s2");
    expect(commands).toContainEqual(
      expect.objectContaining({
        to: "a",
        type: "STOP_SEND_EXPECT_HB",
        body: expect.objectContaining({ ring: "switch:s1" }),
      }),
    );
    expect(rings.membersOfSwitch("s1").sort()).toEqual(["b", "c"]);
    expect(rings.membersOfSwitch("s2").sort()).toEqual(["a", "d"]);
  });
});
