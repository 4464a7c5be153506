export type { DecodeResult } from "../neighbour.js";
export { decodeCdp } from "./cdp.js";
export {
  decodeFrame,
  LINKTYPE_C_HDLC,
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  SUPPORTED_LINKTYPES,
} from "./frame.js";
export { decodeLldp } from "./lldp.js";
