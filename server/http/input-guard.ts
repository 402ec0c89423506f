/**
 * Checks on decoded request input before it reaches validation or the database: PostgreSQL cannot
 * store NUL bytes or lone UTF-16 surrogates (a 500 if they get that far), and deep nesting would
 * overflow the recursive code that hashes and validates parameters. Iterative, so a hostile value
 * cannot overflow the checker itself.
 */
export const MAX_INPUT_DEPTH = 20;

/** Why a value was refused, and where (a Stripe-style parameter path like metadata[order]). */
export interface InputProblem {
  param: string | undefined;
  reason: "depth" | "characters" | "key";
}

// A NUL, a high surrogate not followed by a low one, or a low surrogate without a high one before it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point of this guard.
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const hasUnsafeCharacters = (s: string): boolean => UNSAFE.test(s);


const paramName = (path: string[]): string | undefined =>
  path.length === 0 ? undefined : path[0] + path.slice(1).map((p) => `[${p}]`).join("");

export function findInputProblem(value: unknown, maxDepth = MAX_INPUT_DEPTH): InputProblem | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: node, path } = stack.pop()!;
    if (typeof node === "string") {
      if (hasUnsafeCharacters(node)) return { param: paramName(path), reason: "characters" };
      continue;
    }
    if (node === null || typeof node !== "object") continue;
    if (path.length >= maxDepth) return { param: paramName(path.slice(0, 1)), reason: "depth" };
    for (const [k, v] of Object.entries(node)) {
      const childPath = [...path, k];
      if (hasUnsafeCharacters(k)) return { param: paramName(childPath), reason: "characters" };
      if (k === "__proto__") return { param: paramName(childPath), reason: "key" };
      stack.push({ value: v, path: childPath });
    }
  }
  return undefined;
}

/** Every %-escape decodes to UTF-8 without NUL or lone surrogates: otherwise no object can have this path. */
export function isSafePath(pathname: string): boolean {
  for (const segment of pathname.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return false;
    }
    if (hasUnsafeCharacters(decoded)) return false;
  }
  return true;
}
