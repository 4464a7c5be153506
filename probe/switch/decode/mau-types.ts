/**
 * IANA dot3MauType values (IANA-MAU-MIB, RFC 4836), which the 802.3 MAC/PHY
 * TLV's "operational MAU type" carries, with the speed and duplex each one
 * implies. A MAU whose duplex the name does not fix (10BaseT, 10BaseFL, AUI)
 * or whose rate is variable or asymmetric (2BaseTL, 10PassTS, 10G/1G EPON)
 * leaves that part out.
 */

export interface MauType {
  name: string;
  speed_mbps?: number;
  duplex?: "full" | "half";
}

type Row = [name: string, speed?: number, duplex?: "full" | "half"];

const ROWS: Record<number, Row> = {
  1: ["AUI"],
  2: ["10Base5", 10, "half"],
  3: ["FOIRL", 10, "half"],
  4: ["10Base2", 10, "half"],
  5: ["10BaseT", 10],
  6: ["10BaseFP", 10, "half"],
  7: ["10BaseFB", 10, "half"],
  8: ["10BaseFL", 10],
  9: ["10Broad36", 10, "half"],
  10: ["10BaseTHD", 10, "half"],
  11: ["10BaseTFD", 10, "full"],
  12: ["10BaseFLHD", 10, "half"],
  13: ["10BaseFLFD", 10, "full"],
  14: ["100BaseT4", 100, "half"],
  15: ["100BaseTXHD", 100, "half"],
  16: ["100BaseTXFD", 100, "full"],
  17: ["100BaseFXHD", 100, "half"],
  18: ["100BaseFXFD", 100, "full"],
  19: ["100BaseT2HD", 100, "half"],
  20: ["100BaseT2FD", 100, "full"],
  21: ["1000BaseXHD", 1000, "half"],
  22: ["1000BaseXFD", 1000, "full"],
  23: ["1000BaseLXHD", 1000, "half"],
  24: ["1000BaseLXFD", 1000, "full"],
  25: ["1000BaseSXHD", 1000, "half"],
  26: ["1000BaseSXFD", 1000, "full"],
  27: ["1000BaseCXHD", 1000, "half"],
  28: ["1000BaseCXFD", 1000, "full"],
  29: ["1000BaseTHD", 1000, "half"],
  30: ["1000BaseTFD", 1000, "full"],
  31: ["10GigBaseX", 10000, "full"],
  32: ["10GigBaseLX4", 10000, "full"],
  33: ["10GigBaseR", 10000, "full"],
  34: ["10GigBaseER", 10000, "full"],
  35: ["10GigBaseLR", 10000, "full"],
  36: ["10GigBaseSR", 10000, "full"],
  37: ["10GigBaseW", 10000, "full"],
  38: ["10GigBaseEW", 10000, "full"],
  39: ["10GigBaseLW", 10000, "full"],
  40: ["10GigBaseSW", 10000, "full"],
  41: ["10GigBaseCX4", 10000, "full"],
  42: ["2BaseTL", undefined, "full"],
  43: ["10PassTS", undefined, "full"],
  44: ["100BaseBX10D", 100, "full"],
  45: ["100BaseBX10U", 100, "full"],
  46: ["100BaseLX10", 100, "full"],
  47: ["1000BaseBX10D", 1000, "full"],
  48: ["1000BaseBX10U", 1000, "full"],
  49: ["1000BaseLX10", 1000, "full"],
  50: ["1000BasePX10D", 1000, "full"],
  51: ["1000BasePX10U", 1000, "full"],
  52: ["1000BasePX20D", 1000, "full"],
  53: ["1000BasePX20U", 1000, "full"],
  54: ["10GbaseT", 10000, "full"],
  55: ["10GbaseLRM", 10000, "full"],
  56: ["1000baseKX", 1000, "full"],
  57: ["10GbaseKX4", 10000, "full"],
  58: ["10GbaseKR", 10000, "full"],
  59: ["10G1GbasePRXD1", undefined, "full"],
  60: ["10G1GbasePRXD2", undefined, "full"],
  61: ["10G1GbasePRXD3", undefined, "full"],
  62: ["10G1GbasePRXU1", undefined, "full"],
  63: ["10G1GbasePRXU2", undefined, "full"],
  64: ["10G1GbasePRXU3", undefined, "full"],
  65: ["10GbasePRD1", 10000, "full"],
  66: ["10GbasePRD2", 10000, "full"],
  67: ["10GbasePRD3", 10000, "full"],
  68: ["10GbasePRU1", 10000, "full"],
  69: ["10GbasePRU3", 10000, "full"],
  70: ["40GbaseKR4", 40000, "full"],
  71: ["40GbaseCR4", 40000, "full"],
  72: ["40GbaseSR4", 40000, "full"],
  73: ["40GbaseFR", 40000, "full"],
  74: ["40GbaseLR4", 40000, "full"],
  75: ["100GbaseCR10", 100000, "full"],
  76: ["100GbaseSR10", 100000, "full"],
  77: ["100GbaseLR4", 100000, "full"],
  78: ["100GbaseER4", 100000, "full"],
};

export function mauType(value: number): MauType | undefined {
  const row = ROWS[value];
  if (row === undefined) return undefined;
  const [name, speed, duplex] = row;
  const result: MauType = { name };
  if (speed !== undefined) result.speed_mbps = speed;
  if (duplex !== undefined) result.duplex = duplex;
  return result;
}
