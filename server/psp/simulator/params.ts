/** Typed readers over decoded params. Form values arrive as strings, JSON values as their own types. */
import { invalidParam, missingParam } from "./errors";
import type { Params } from "../../http/stripe-form";

export function optString(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw invalidParam(name, `Invalid string: ${name}`);
}

export function reqString(p: Params, name: string): string {
  const v = optString(p, name);
  if (v === undefined || v === "") throw missingParam(name);
  return v;
}

export function optInt(p: Params, name: string, min = 0): number | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === "") return undefined;
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && /^-?\d{1,15}$/.test(v)) n = Number(v);
  else throw invalidParam(name, `Invalid integer: ${String(v)}`, "parameter_invalid_integer");
  if (!Number.isSafeInteger(n)) throw invalidParam(name, `Invalid integer: ${String(v)}`, "parameter_invalid_integer");
  if (n < min) throw invalidParam(name, `This value must be greater than or equal to ${min}.`, "parameter_invalid_integer");
  return n;
}

export function reqInt(p: Params, name: string, min = 0): number {
  const v = optInt(p, name, min);
  if (v === undefined) throw missingParam(name);
  return v;
}

export function optBool(p: Params, name: string): boolean | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw invalidParam(name, `Invalid boolean: ${String(v)}`);
}

export function optEnum<T extends string>(p: Params, name: string, values: readonly T[]): T | undefined {
  const v = optString(p, name);
  if (v === undefined || v === "") return undefined;
  if ((values as readonly string[]).includes(v)) return v as T;
  throw invalidParam(name, `Invalid ${name}: must be one of ${values.join(", ")}`);
}

/**
 * Metadata as Stripe treats it: undefined = untouched, `null` = clear all (`metadata=`),
 * otherwise a string map where "" values mean "delete this key" on update.
 */
export function optMetadata(p: Params, name = "metadata"): Record<string, string> | null | undefined {
  const v = p[name];
  if (v === undefined) return undefined;
  if (v === "" || v === null) return null;
  if (typeof v !== "object") throw invalidParam(name, "Invalid object");
  const out: Record<string, string> = {};
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
  if (entries.length > 50) throw invalidParam(name, "You can specify up to 50 metadata keys.");
  for (const [k, val] of entries) {
    if (k.length > 40) throw invalidParam(`${name}[${k}]`, "Metadata keys can be at most 40 characters.");
    const s = val === null || val === undefined ? "" : typeof val === "object" ? JSON.stringify(val) : String(val);
    if (s.length > 500) throw invalidParam(`${name}[${k}]`, "Metadata values can be at most 500 characters.");
    out[k] = s;
  }
  return out;
}

/** Merge per Stripe update semantics. */
export function mergeMetadata(current: Record<string, string>, update: Record<string, string> | null | undefined): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  const next = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (v === "") delete next[k];
    else next[k] = v;
  }
  return next;
}

export function cleanMetadata(update: Record<string, string> | null | undefined): Record<string, string> {
  return mergeMetadata({}, update);
}

export function expandPaths(p: Params): string[] {
  const v = p.expand;
  if (v === undefined || v === null || v === "") return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string" && x.length > 0);
  if (typeof v === "object") return Object.values(v as Record<string, unknown>).filter((x): x is string => typeof x === "string");
  return [];
}

export interface ListParams {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

export function listParams(p: Params): ListParams {
  const limit = optInt(p, "limit", 1) ?? 10;
  if (limit > 100) throw invalidParam("limit", "This value must be less than or equal to 100.");
  const out: ListParams = { limit };
  const sa = optString(p, "starting_after");
  const eb = optString(p, "ending_before");
  if (sa) out.startingAfter = sa;
  if (eb) out.endingBefore = eb;
  if (sa && eb) throw invalidParam("ending_before", "You may only specify one of these parameters: starting_after, ending_before.");
  return out;
}

/** Inclusive [lower, upper] from `created`, `created[gt|gte|lt|lte]`. */
export interface CreatedRange {
  lower: number;
  upper: number;
}

export function createdRange(p: Params, name = "created"): CreatedRange | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "string" || typeof v === "number") {
    const n = optInt(p, name) ?? 0;
    return { lower: n, upper: n };
  }
  if (typeof v !== "object" || Array.isArray(v)) throw invalidParam(name, "Invalid created filter");
  const o = v as Params;
  const read = (k: string): number | undefined => optInt(o, k);
  let lower = Number.NEGATIVE_INFINITY;
  let upper = Number.POSITIVE_INFINITY;
  const gt = read("gt");
  const gte = read("gte");
  const lt = read("lt");
  const lte = read("lte");
  if (gt !== undefined) lower = Math.max(lower, gt + 1);
  if (gte !== undefined) lower = Math.max(lower, gte);
  if (lt !== undefined) upper = Math.min(upper, lt - 1);
  if (lte !== undefined) upper = Math.min(upper, lte);
  return { lower, upper };
}
