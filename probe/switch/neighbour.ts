/**
 * The one neighbour shape that the LLDP and CDP decoders return, that the
 * capture keeps per local interface and that the `switch` discovery document
 * carries as-is (hence snake_case). Optional fields are omitted when the frame
 * does not carry them; they are never null-filled.
 */

export type SwitchProtocol = "lldp" | "cdp";

/**
 * One vocabulary for both protocols. LLDP (802.1AB system capabilities):
 * other, repeater, bridge, wlan_ap, router, telephone, docsis, station, cvlan,
 * svlan, tpmr (two-port MAC relay). CDP uses the same names for the same
 * concepts (transparent bridge → bridge, VoIP phone → telephone, two-port
 * MAC relay → tpmr) and adds: source_route_bridge, switch, host, igmp,
 * remotely_managed, cvta. A bit with no name becomes
 * "bit<N>" (N counted from 0 at the least significant bit).
 */
export type CapabilityName =
  | "other"
  | "repeater"
  | "bridge"
  | "wlan_ap"
  | "router"
  | "telephone"
  | "docsis"
  | "station"
  | "cvlan"
  | "svlan"
  | "tpmr"
  | "source_route_bridge"
  | "switch"
  | "host"
  | "igmp"
  | "remotely_managed"
  | "cvta"
  | `bit${number}`;

/** CDP has one bitmap: supported = enabled = the set bits. */
export interface Capabilities {
  supported: CapabilityName[];
  enabled: CapabilityName[];
}

export interface ManagementAddress {
  family: "ipv4" | "ipv6" | "mac" | "other";
  /** IPv4 dotted quad, IPv6 compressed lowercase, MAC "aa:bb:..", otherwise lowercase hex. */
  address: string;
  /** For family "other": the IANA address family number (LLDP) or the protocol bytes in hex (CDP). */
  address_family?: number | string;
  interface_numbering?: "ifindex" | "system_port" | "unknown";
  interface_number?: number;
  /** Object identifier in dotted form. */
  oid?: string;
}

export type ChassisIdSubtype =
  | "chassis_component"
  | "interface_alias"
  | "port_component"
  | "mac_address"
  | "network_address"
  | "interface_name"
  | "local"
  | "cdp_device_id"
  | `reserved_${number}`;

export type PortIdSubtype =
  | "interface_alias"
  | "port_component"
  | "mac_address"
  | "network_address"
  | "interface_name"
  | "agent_circuit_id"
  | "local"
  | `reserved_${number}`;

/** LLDP-MED inventory and capabilities (ANSI/TIA-1057). */
export interface MedInfo {
  /** "capabilities","network_policy","location","extended_power_pse","extended_power_pd","inventory" or "bit<N>". */
  capabilities?: string[];
  /** "not_defined","endpoint_class_1","endpoint_class_2","endpoint_class_3","network_connectivity" or "reserved_<N>". */
  device_type?: string;
  hardware_revision?: string;
  firmware_revision?: string;
  software_revision?: string;
  serial_number?: string;
  manufacturer?: string;
  model?: string;
  asset_id?: string;
  locations?: MedLocation[];
}

export type MedLocation =
  | {
      format: "coordinate";
      /** Degrees, north positive (RFC 3825 fixed point, 25 fraction bits). */
      latitude: number;
      latitude_resolution: number;
      /** Degrees, east positive. */
      longitude: number;
      longitude_resolution: number;
      /** "meters", "floors", "unknown" or "reserved_<N>". */
      altitude_type: string;
      altitude: number;
      altitude_resolution: number;
      /** "wgs84", "nad83_navd88", "nad83_mllw" or "reserved_<N>". */
      datum: string;
    }
  | {
      format: "civic";
      /** 0 = DHCP server, 1 = network element closest to the client, 2 = the client. */
      what: number;
      country_code: string;
      /** CAtype per RFC 4776, with a readable name where one is defined. */
      elements: { type: number; name?: string; value: string }[];
    }
  | { format: "elin"; elin: string }
  | { format: "unknown"; format_code: number; hex: string };

export interface Chassis {
  /**
   * MAC subtype → "00:1b:2c:3d:4e:5f" lowercase; network-address → IP text;
   * printable text kept as text; otherwise lowercase hex.
   */
  id: string;
  id_subtype: ChassisIdSubtype;
  /** LLDP system name; CDP device ID. */
  name?: string;
  /** LLDP system description; CDP software version. */
  description?: string;
  capabilities: Capabilities;
  /** LLDP management addresses; CDP addresses and management addresses (deduplicated, in order). */
  management_addresses: ManagementAddress[];
  /** CDP platform. */
  platform?: string;
  /** CDP software version. */
  software_version?: string;
  /** CDP VTP management domain. */
  vtp_domain?: string;
  /** CDP system name TLV (distinct from the device ID, which is `name`). */
  system_name?: string;
  /** CDP system object ID, dotted. */
  system_object_id?: string;
  /** CDP physical location. */
  location?: string;
  med?: MedInfo;
}

export interface VlanEntry {
  id: number;
  /** 802.1 VLAN name. */
  name?: string;
  /** 802.1 port-and-protocol VLAN ID TLV for this VLAN. */
  port_and_protocol?: { supported: boolean; enabled: boolean };
}

export interface MedNetworkPolicy {
  /** "voice","voice_signaling","guest_voice","guest_voice_signaling","softphone_voice",
   * "video_conferencing","streaming_video","video_signaling" or "reserved_<N>". */
  application: string;
  /** The policy is unknown (U bit): the endpoint asks for one. */
  unknown: boolean;
  tagged: boolean;
  vlan_id: number;
  l2_priority: number;
  dscp: number;
}

export interface Power {
  /** 802.3 power via MDI. */
  port_class?: "pse" | "pd";
  mdi_supported?: boolean;
  mdi_enabled?: boolean;
  pair_control?: boolean;
  /** PSE power pairs: "signal" (1) or "spare" (2). */
  pairs?: "signal" | "spare" | `reserved_${number}`;
  /** Power class as sent: 1..5 mean class 0..4, 0 is unknown (tshark shows the same number). */
  power_class?: number;
  /** 802.3at extension: type 1 or 2. */
  power_type?: number;
  /** PSE: "unknown","primary","backup"; PD: "unknown","pse","local","pse_and_local"; or "reserved_<N>". */
  power_source?: string;
  /** "unknown","critical","high","low". */
  power_priority?: string;
  requested_mw?: number;
  allocated_mw?: number;
  /** LLDP-MED extended power via MDI. */
  med?: {
    device_type: "pse" | "pd" | `reserved_${number}`;
    /** "unknown","primary","backup","pd_and_local","local","pse" or "reserved_<N>" per device type. */
    source: string;
    /** "unknown","critical","high","low" or "reserved_<N>". */
    priority: string;
    value_mw: number;
  };
  /** CDP power consumption (milliwatts). */
  consumption_mw?: number;
  /** CDP power requested / available TLVs, kept decoded. */
  cdp_requested?: { request_id: number; management_id: number; levels_mw: number[] };
  cdp_available?: { request_id: number; management_id: number; available_mw: number[] };
}

export interface Port {
  id: string;
  id_subtype: PortIdSubtype;
  description?: string;
  /** LLDP 802.1 PVID, CDP native VLAN: the port VLAN. */
  vlan_id?: number;
  vlans?: VlanEntry[];
  /** 802.1 protocol identity TLVs, hex. */
  protocol_identities?: string[];
  /** LLDP-MED network policy for voice, or CDP voice VLAN reply. */
  voice_vlan?: number;
  /** CDP voice VLAN query (a phone asking which VLAN to use). */
  voice_vlan_query?: number;
  network_policies?: MedNetworkPolicy[];
  /** 802.3 maximum frame size (as given) and CDP MTU. */
  mtu?: number;
  speed_mbps?: number;
  duplex?: "full" | "half";
  autonegotiation?: { supported: boolean; enabled: boolean; advertised: string[] };
  /** IANA MAU type (RFC 4836 dot3MauType). */
  mau_type?: number;
  /** Readable MAU type, e.g. "1000BASE-T full duplex". */
  mau_type_name?: string;
  power?: Power;
  link_aggregation?: { capable: boolean; enabled: boolean; port_id?: number };
  /** CDP trust bitmap (extended trust). */
  trust_bitmap?: number;
  /** CDP untrusted port CoS. */
  untrusted_port_cos?: number;
}

export interface UnknownTlv {
  /** The TLV type (LLDP 0..127, CDP 0..65535). */
  type: number;
  /** Organisation TLVs: OUI "00:12:0f" lowercase, and the subtype. */
  oui?: string;
  subtype?: number;
  /** The value (after OUI and subtype for organisation TLVs), lowercase hex. */
  hex: string;
}

export interface Neighbour {
  /** ["lldp"], ["cdp"], or ["cdp","lldp"] once merged. */
  protocols: SwitchProtocol[];
  /** LLDP TTL / CDP holdtime. */
  ttl_seconds: number;
  chassis: Chassis;
  port: Port;
  /** Ethernet source address of the frame, when decoded from a frame. */
  source_mac?: string;
  /** CDP version byte (1 or 2). */
  cdp_version?: number;
  unknown_tlvs?: UnknownTlv[];
}

/** Protocols decodeFrame recognises and ignores. */
export type IgnoredProtocol = "dtp" | "vtp" | "pagp" | "udld" | "other";

export type DecodeResult =
  | { kind: "neighbour"; protocol: SwitchProtocol; neighbour: Neighbour }
  | {
      kind: "ignored";
      protocol: IgnoredProtocol;
      /** What the frame was, e.g. "ethertype 0x0800" or "cisco snap 0x2004". */
      detail: string;
    }
  | {
      kind: "error";
      protocol?: SwitchProtocol;
      /** The TLV (or header) at fault, e.g. "chassis id", "cdp header", "ethernet header". */
      tlv: string;
      /** Byte offset of that TLV (or header) in the frame. */
      offset: number;
      message: string;
      /**
       * What decoded before the fault, when the mandatory TLVs (LLDP chassis,
       * port, TTL; CDP device ID) did: a frame cut short by the capture's
       * snap length still names its sender. Consumers decide whether to use it.
       */
      partial?: Neighbour;
    };
