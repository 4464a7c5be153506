import type { ErrorList } from "../error-list.js";
import { LineErrors, quoted } from "../line-errors.js";

const MAX_NAME_LENGTH = 256;

/**
 * id → name from /etc/passwd or /etc/group ("name:x:id:..."); the first entry
 * for an id wins, as getpwuid() would return it. NIS compat lines ("+", "-")
 * and comments are not accounts and are passed over; other lines without a
 * name and a numeric id are recorded as malformed.
 */
export function parseIdNames(text: string, path: string, errors: ErrorList): Map<number, string> {
  const names = new Map<number, string>();
  const malformed = new LineErrors(path, errors);
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === "" || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) {
      continue;
    }
    const fields = line.split(":");
    const name = fields[0] ?? "";
    const id = fields[2] ?? "";
    if (
      fields.length < 3 ||
      name === "" ||
      name.length > MAX_NAME_LENGTH ||
      !/^\d{1,10}$/.test(id)
    ) {
      malformed.add(i + 1, `malformed line ${quoted(line)}`);
      continue;
    }
    const number = Number(id);
    if (!names.has(number)) names.set(number, name);
  }
  malformed.finish();
  return names;
}
