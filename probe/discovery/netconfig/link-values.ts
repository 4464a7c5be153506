/** Checks shared by the iproute2 and /sys readers of link fields. */
import type { ErrorList } from "../error-list.js";
import { shownName } from "./interface-name.js";
import { OPERSTATES, type Operstate } from "./types.js";

/** Printable ASCII words, as iproute2 and the kernel name kinds, link types and states. */
export const WORD = /^[\x21-\x7e]{1,64}$/;

export const MAX_ALIAS = 256;

/** An operstate ("UP" from iproute2, "up" from /sys) in lowercase; anything else is "unknown". */
export function operstate(text: string | undefined, where: string, errors: ErrorList): Operstate {
  if (text === undefined) return "unknown";
  const lower = text.toLowerCase();
  if ((OPERSTATES as readonly string[]).includes(lower)) return lower as Operstate;
  errors.add(where, `unknown operstate ${shownName(text)}; given as "unknown"`);
  return "unknown";
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** The interface alias without control characters: it is free text that anyone with CAP_NET_ADMIN sets. */
export function alias(text: string | undefined): string | null {
  if (text === undefined) return null;
  const clean = text.replace(CONTROL, " ").trim().slice(0, MAX_ALIAS);
  return clean === "" ? null : clean;
}
