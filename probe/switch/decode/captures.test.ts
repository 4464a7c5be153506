/**
 * Every sample capture decoded and asserted whole, field by field. The
 * expected values were read off `tshark -r FILE -V` (Wireshark 4.0); the
 * tshark test compares the same fields mechanically where tshark is present.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DecodeResult, Neighbour } from "../neighbour.js";
import { readCaptureFile } from "../pcap-file.js";
import { decodeFrame } from "./frame.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

function decodeCapture(name: string): DecodeResult[] {
  return [...readCaptureFile(join(FIXTURES, name))].map((frame) =>
    decodeFrame(frame.bytes, frame.linkType),
  );
}

function neighbourOf(result: DecodeResult | undefined): Neighbour {
  if (result?.kind !== "neighbour") throw new Error(`not a neighbour: ${JSON.stringify(result)}`);
  return result.neighbour;
}

const IOS_1600 = [
  "Cisco Internetwork Operating System Software ",
  "IOS (tm) 1600 Software (C1600-NY-L), Version 11.2(12)P, RELEASE SOFTWARE (fc1)",
  "Copyright (c) 1986-1998 by cisco Systems, Inc.",
  "Compiled Tue 03-Mar-98 06:33 by dschwart",
].join("\n");

const IOS_2950 = [
  "Cisco Internetwork Operating System Software ",
  "IOS (tm) C2950 Software (C2950-I6K2L2Q4-M), Version 12.1(22)EA14, RELEASE SOFTWARE (fc1)",
  "Technical Support: http://www.cisco.com/techsupport",
  "Copyright (c) 1986-2010 by cisco Systems, Inc.",
  "Compiled Tue 26-Oct-10 10:35 by nburra",
].join("\n");

const IOS_7200 = [
  "Cisco IOS Software, 7200 Software (C7200-SPSERVICESK9-M), Version 12.4(22)T, RELEASE SOFTWARE (fc1)",
  "Technical Support: http://www.cisco.com/techsupport",
  "Copyright (c) 1986-2008 by Cisco Systems, Inc.",
  "Compiled Fri 10-Oct-08 10:10 by prod_rel_team",
].join("\n");

const IOS_3750 = [
  "Cisco Internetwork Operating System Software ",
  "IOS (tm) C3750 Software (C3750-I5-M), Version 12.2(20)SE4, RELEASE SOFTWARE (fc1)",
  "Copyright (c) 1986-2005 by cisco Systems, Inc.",
  "Compiled Sun 09-Jan-05 00:09 by antonino",
].join("\n");

/** Catalyst 2950 in cdp_v2.pcap and cdp_v2_voice.pcap; the voice capture adds the VoIP VLAN reply. */
function catalyst2950(clusterStatus: string, voiceVlan?: number): Neighbour {
  return {
    protocols: ["cdp"],
    ttl_seconds: 180,
    cdp_version: 2,
    source_mac: "00:0b:be:18:9a:41",
    chassis: {
      id: "myswitch",
      id_subtype: "cdp_device_id",
      name: "myswitch",
      capabilities: { supported: ["switch", "igmp"], enabled: ["switch", "igmp"] },
      management_addresses: [{ family: "ipv4", address: "192.168.0.253" }],
      software_version: IOS_2950,
      description: IOS_2950,
      platform: "cisco WS-C2950-12",
      vtp_domain: "MYDOMAIN",
    },
    port: {
      id: "FastEthernet0/1",
      id_subtype: "interface_name",
      vlan_id: 1,
      duplex: "full",
      ...(voiceVlan === undefined ? {} : { voice_vlan: voiceVlan }),
      trust_bitmap: 0,
      untrusted_port_cos: 0,
    },
    // Protocol Hello (cluster management), kept raw: OUI 00:00:0c, protocol 0x0112,
    // master 0.0.0.0, 255.255.255.255, version 1.2, status, switch MAC 00:0b:be:18:9a:40.
    unknown_tlvs: [
      {
        type: 8,
        hex: `00000c011200000000ffffffff0102${clusterStatus}ff000000000000000bbe189a40ff0000`,
      },
    ],
  };
}

/** Catalyst 3750G in both n0.eth2 captures. */
const catalyst3750: Neighbour = {
  protocols: ["cdp"],
  ttl_seconds: 180,
  cdp_version: 2,
  source_mac: "00:0f:23:b0:62:84",
  chassis: {
    id: "csr706a.pbm.ihost.com",
    id_subtype: "cdp_device_id",
    name: "csr706a.pbm.ihost.com",
    capabilities: {
      supported: ["router", "switch", "igmp"],
      enabled: ["router", "switch", "igmp"],
    },
    management_addresses: [{ family: "ipv4", address: "129.40.5.249" }],
    software_version: IOS_3750,
    description: IOS_3750,
    platform: "cisco WS-C3750G-24TS",
    vtp_domain: "spbm",
  },
  port: {
    id: "GigabitEthernet1/0/4",
    id_subtype: "interface_name",
    vlan_id: 77,
    duplex: "full",
    trust_bitmap: 0,
    untrusted_port_cos: 0,
  },
  unknown_tlvs: [
    { type: 8, hex: "00000c011200000000ffffffff010221ff000000000000000f23b06280ff0000" },
  ],
};

describe("CDP captures", () => {
  it("cdp.pcap: CDPv1 from a Cisco 1601 router", () => {
    const results = decodeCapture("cdp.pcap");
    expect(results).toHaveLength(1);
    expect(neighbourOf(results[0])).toEqual({
      protocols: ["cdp"],
      ttl_seconds: 180,
      cdp_version: 1,
      source_mac: "00:e0:1e:d5:d5:15",
      chassis: {
        id: "R1",
        id_subtype: "cdp_device_id",
        name: "R1",
        capabilities: { supported: ["router"], enabled: ["router"] },
        management_addresses: [{ family: "ipv4", address: "192.168.10.1" }],
        software_version: IOS_1600,
        description: IOS_1600,
        platform: "cisco 1601",
      },
      port: { id: "Ethernet0", id_subtype: "interface_name" },
    });
  });

  it("cdp-BCM1100.pcap: an IP phone chip with a VoIP VLAN reply of 4095 and 6400 mW", () => {
    const results = decodeCapture("cdp-BCM1100.pcap");
    expect(results).toHaveLength(1);
    expect(neighbourOf(results[0])).toEqual({
      protocols: ["cdp"],
      ttl_seconds: 180,
      cdp_version: 2,
      source_mac: "00:60:b9:c1:40:27",
      chassis: {
        id: "0060B9C14027",
        id_subtype: "cdp_device_id",
        name: "0060B9C14027",
        capabilities: { supported: ["host"], enabled: ["host"] },
        management_addresses: [],
        software_version: "BCM1100",
        description: "BCM1100",
        platform: "BCM91100",
      },
      // The phone names no port: the id stays empty.
      port: {
        id: "",
        id_subtype: "interface_name",
        voice_vlan: 4095,
        power: { consumption_mw: 6400 },
      },
    });
  });

  it("cdp_v2.pcap: four identical CDPv2 frames from a Catalyst 2950", () => {
    const results = decodeCapture("cdp_v2.pcap");
    expect(results).toHaveLength(4);
    for (const result of results) expect(neighbourOf(result)).toEqual(catalyst2950("20"));
  });

  it("cdp_v2_voice.pcap: the Catalyst 2950 with voice VLAN 10", () => {
    const results = decodeCapture("cdp_v2_voice.pcap");
    expect(results).toHaveLength(1);
    expect(neighbourOf(results[0])).toEqual(catalyst2950("21", 10));
  });

  it("cdp_v2_hdlc.pcap: CDPv2 over Cisco HDLC (link type 104) from a 7206VXR", () => {
    const frames = [...readCaptureFile(join(FIXTURES, "cdp_v2_hdlc.pcap"))];
    expect(frames.map((frame) => frame.linkType)).toEqual([104]);
    const results = decodeCapture("cdp_v2_hdlc.pcap");
    expect(neighbourOf(results[0])).toEqual({
      protocols: ["cdp"],
      ttl_seconds: 180,
      cdp_version: 2,
      chassis: {
        id: "R1",
        id_subtype: "cdp_device_id",
        name: "R1",
        capabilities: { supported: ["router"], enabled: ["router"] },
        management_addresses: [{ family: "ipv4", address: "192.168.0.1" }],
        software_version: IOS_7200,
        description: IOS_7200,
        platform: "Cisco 7206VXR",
      },
      port: { id: "Serial1/0", id_subtype: "interface_name" },
    });
  });

  it("n0.eth2.cdp.pcap: the DTP frame is ignored, the CDP frame decoded", () => {
    const results = decodeCapture("n0.eth2.cdp.pcap");
    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({
      kind: "ignored",
      protocol: "dtp",
      detail: "cisco snap pid 0x2004",
    });
    expect(neighbourOf(results[1])).toEqual(catalyst3750);
  });

  it("n0.eth2.cdp-2.pcap: the Catalyst 3750G with an FQDN device id", () => {
    const results = decodeCapture("n0.eth2.cdp-2.pcap");
    expect(results).toHaveLength(1);
    expect(neighbourOf(results[0])).toEqual(catalyst3750);
  });
});

describe("LLDP captures", () => {
  it("lldp.detailed.pcap: Extreme Summit300-48 with 802.1 and 802.3 TLVs", () => {
    const results = decodeCapture("lldp.detailed.pcap");
    expect(results).toHaveLength(1);
    expect(neighbourOf(results[0])).toEqual({
      protocols: ["lldp"],
      ttl_seconds: 120,
      source_mac: "00:01:30:f9:ad:a0",
      chassis: {
        id: "00:01:30:f9:ad:a0",
        id_subtype: "mac_address",
        name: "Summit300-48",
        description: "Summit300-48 - Version 7.4e.1 (Build 5) by Release_Master 05/27/05 04:53:11",
        capabilities: { supported: ["bridge", "router"], enabled: ["bridge", "router"] },
        management_addresses: [
          {
            family: "mac",
            address: "00:01:30:f9:ad:a0",
            interface_numbering: "ifindex",
            interface_number: 1001,
          },
        ],
      },
      port: {
        id: "1/1",
        id_subtype: "interface_name",
        description: "Summit300-48-Port 1001",
        power: {
          port_class: "pse",
          mdi_supported: true,
          mdi_enabled: true,
          pair_control: false,
          pairs: "signal",
          power_class: 0,
        },
        autonegotiation: {
          supported: true,
          enabled: true,
          advertised: ["10baseT", "10baseTFD", "100baseTX", "100baseTXFD"],
        },
        mau_type: 16,
        mau_type_name: "100BaseTXFD",
        speed_mbps: 100,
        duplex: "full",
        link_aggregation: { capable: true, enabled: false, port_id: 0 },
        mtu: 1522,
        vlan_id: 488,
        // The port-and-protocol VLAN TLV says PPVID 0 (none), so only the name entry exists;
        // the protocol identity TLV is empty, so there is no protocol_identities list.
        vlans: [{ id: 488, name: "v2-0488-03-0505" }],
      },
    });
  });

  it("lldpmed_civicloc.pcap: ProCurve 2600-8-PWR with LLDP-MED, civic location and PoE", () => {
    const results = decodeCapture("lldpmed_civicloc.pcap");
    expect(results).toHaveLength(1);
    expect(neighbourOf(results[0])).toEqual({
      protocols: ["lldp"],
      ttl_seconds: 120,
      source_mac: "00:13:21:57:ca:7f",
      chassis: {
        id: "00:13:21:57:ca:40",
        id_subtype: "mac_address",
        name: "ProCurve Switch 2600-8-PWR",
        description:
          "ProCurve J8762A Switch 2600-8-PWR, revision H.08.89, ROM H.08.5X (/sw/code/build/fish(ts_08_5))",
        capabilities: { supported: ["bridge", "router"], enabled: ["bridge"] },
        management_addresses: [
          {
            family: "ipv4",
            address: "15.255.122.148",
            interface_numbering: "ifindex",
            interface_number: 0,
          },
        ],
        med: {
          capabilities: ["capabilities", "network_policy", "location", "extended_power_pse"],
          device_type: "network_connectivity",
          locations: [
            {
              format: "civic",
              what: 2,
              country_code: "US",
              elements: [
                { type: 1, name: "state", value: "CA" },
                { type: 3, name: "city", value: "Roseville" },
                { type: 6, name: "street", value: "Foothills" },
                { type: 19, name: "house_number", value: "8000" },
                { type: 26, name: "unit", value: "R3L" },
              ],
            },
          ],
        },
      },
      port: {
        id: "1",
        id_subtype: "local",
        description: "1",
        autonegotiation: {
          supported: true,
          enabled: true,
          advertised: ["10baseT", "10baseTFD", "100baseTX", "100baseTXFD"],
        },
        mau_type: 16,
        mau_type_name: "100BaseTXFD",
        speed_mbps: 100,
        duplex: "full",
        network_policies: [
          {
            application: "voice",
            unknown: false,
            tagged: true,
            vlan_id: 50,
            l2_priority: 6,
            dscp: 46,
          },
        ],
        voice_vlan: 50,
        power: { med: { device_type: "pse", source: "unknown", priority: "low", value_mw: 6500 } },
      },
    });
  });

  it("lldpmed_civicloc.pcapng (the same frame, written by editcap as pcapng) decodes the same", () => {
    expect(decodeCapture("lldpmed_civicloc.pcapng")).toEqual(
      decodeCapture("lldpmed_civicloc.pcap"),
    );
    expect(decodeCapture("cdp_v2_hdlc.pcapng")).toEqual(decodeCapture("cdp_v2_hdlc.pcap"));
  });

  it("procurve.lldp.pcap: frames cut at 96 of 171 bytes give an error naming the cut TLV, and what came before", () => {
    const results = decodeCapture("procurve.lldp.pcap");
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result).toEqual({
        kind: "error",
        protocol: "lldp",
        // Ethernet 14 + chassis 9 + port 5 + TTL 4 + port description 4 + system name 22.
        tlv: "system description",
        offset: 58,
        message: expect.stringMatching(
          /^system description value needs \d+ bytes at offset 60, only 36 left$/,
        ),
        partial: {
          protocols: ["lldp"],
          ttl_seconds: 120,
          source_mac: "00:25:61:94:32:4a",
          chassis: {
            id: "00:25:61:94:32:40",
            id_subtype: "mac_address",
            name: "ProCurve Switch 2824",
            capabilities: { supported: [], enabled: [] },
            management_addresses: [],
          },
          port: { id: "22", id_subtype: "local", description: "22" },
        },
      });
    }
  });
});
