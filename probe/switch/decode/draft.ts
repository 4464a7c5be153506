/** A neighbour being filled in, TLV by TLV, by either decoder. */
import type {
  MedInfo,
  Neighbour,
  Power,
  SwitchProtocol,
  UnknownTlv,
  VlanEntry,
} from "../neighbour.js";

export class NeighbourDraft {
  readonly neighbour: Neighbour;

  constructor(protocol: SwitchProtocol) {
    this.neighbour = {
      protocols: [protocol],
      ttl_seconds: 0,
      chassis: {
        id: "",
        id_subtype: protocol === "cdp" ? "cdp_device_id" : "local",
        capabilities: { supported: [], enabled: [] },
        management_addresses: [],
      },
      port: { id: "", id_subtype: protocol === "cdp" ? "interface_name" : "local" },
    };
  }

  unknown(tlv: UnknownTlv): void {
    if (this.neighbour.unknown_tlvs === undefined) this.neighbour.unknown_tlvs = [];
    this.neighbour.unknown_tlvs.push(tlv);
  }

  /** The VLAN entry for `id`, created on first use, so names and protocol flags merge by VLAN. */
  vlan(id: number): VlanEntry {
    const port = this.neighbour.port;
    if (port.vlans === undefined) port.vlans = [];
    let entry = port.vlans.find((vlan) => vlan.id === id);
    if (entry === undefined) {
      entry = { id };
      port.vlans.push(entry);
    }
    return entry;
  }

  power(): Power {
    const port = this.neighbour.port;
    if (port.power === undefined) port.power = {};
    return port.power;
  }

  med(): MedInfo {
    const chassis = this.neighbour.chassis;
    if (chassis.med === undefined) chassis.med = {};
    return chassis.med;
  }
}
