export const MAX_PATTERN_LENGTH = 200;
/** Subjects are cut to this length before matching, bounding the work of any pattern. */
export const MAX_SUBJECT_LENGTH = 4096;

// A quantified group that itself contains a quantifier, e.g. (a+)+ or (\w*)*:
// the classic shape of catastrophic backtracking.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d+,?\d*\})/;
// A back-reference can make matching exponential whatever the shape.
const BACKREFERENCE = /\\[1-9]|\\k</;

/** Compiles a rule's pattern, or says why it is refused. */
export function compileSafeRegex(pattern: string): RegExp | string {
  if (pattern.length > MAX_PATTERN_LENGTH)
    return `pattern longer than ${MAX_PATTERN_LENGTH} characters`;
  if (NESTED_QUANTIFIER.test(pattern))
    return "nested quantifier (e.g. (a+)+) refused: it can backtrack catastrophically";
  if (BACKREFERENCE.test(pattern)) return "back-references are refused";
  try {
    return new RegExp(pattern, "u");
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message}`;
  }
}

export function boundedSubject(text: string): string {
  return text.length > MAX_SUBJECT_LENGTH ? text.slice(0, MAX_SUBJECT_LENGTH) : text;
}
