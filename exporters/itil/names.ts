/**
 * File names from host names: only letters, digits, `.`, `_` and `-` are
 * kept (anything else becomes `_`), never a leading dot, at most 100
 * characters; a name that is empty once cleaned, or that two hosts share,
 * gets the record's key appended so every file name is distinct.
 */

const clean = (name: string) =>
  name
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^[.]+/, "_")
    .slice(0, 100);

/** Record id → file stem, distinct across `entries`. */
export function fileStems(entries: readonly { id: string; name: string }[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(clean(e.name), (counts.get(clean(e.name)) ?? 0) + 1);
  const stems = new Map<string, string>();
  for (const e of entries) {
    const stem = clean(e.name);
    const key = clean(e.id.slice(e.id.indexOf(":") + 1));
    stems.set(
      e.id,
      stem === "" || stem === "_" || counts.get(stem) !== 1 ? `${stem}-${key}` : stem,
    );
  }
  return stems;
}
