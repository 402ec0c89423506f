import { describe, expect, it } from "vitest";
import { safeErrorLog } from "../log-safe";
import { findInputProblem, hasUnsafeCharacters, isSafePath } from "./input-guard";
import { decodeForm, FormDecodeError } from "./stripe-form";

describe("input guard", () => {
  it("refuses NUL bytes and unpaired surrogates, accepts paired ones", () => {
    expect(hasUnsafeCharacters("a\u0000b")).toBe(true);
    expect(hasUnsafeCharacters("x\ud800")).toBe(true);
    expect(hasUnsafeCharacters("\udc00x")).toBe(true);
    expect(hasUnsafeCharacters("emoji \ud83d\ude00 ok")).toBe(false);
    expect(findInputProblem({ metadata: { order: "a\u0000" } })).toEqual({ param: "metadata[order]", reason: "characters" });
    expect(findInputProblem({ metadata: { ["k\ud800"]: "v" } })?.reason).toBe("characters");
    expect(findInputProblem(JSON.parse('{"metadata":{"__proto__":{"a":1}}}'))).toEqual({ param: "metadata[__proto__]", reason: "key" });
    expect(findInputProblem({ amount: 1, metadata: { a: "b" }, expand: ["x"] })).toBeUndefined();
  });

  it("stops at the depth limit without recursing (100,000 levels)", () => {
    const deep = JSON.parse(`${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`);
    expect(findInputProblem({ metadata: deep })).toEqual({ param: "metadata", reason: "depth" });
  });

  it("paths: %-escapes must decode to safe UTF-8", () => {
    expect(isSafePath("/v1/payment_intents/pi_123")).toBe(true);
    expect(isSafePath("/v1/payment_intents/pi_%41")).toBe(true);
    expect(isSafePath("/v1/payment_intents/pi_%ff")).toBe(false);
    expect(isSafePath("/v1/payment_intents/pi_%00")).toBe(false);
    expect(isSafePath("/v1/payment_intents/pi_%ED%A0%80")).toBe(false);
  });
});

describe("form decoding with qs", () => {
  it("refuses deep nesting, too many parameters and __proto__ keys; keeps prototype-named keys as data", () => {
    expect(() => decodeForm(`a${"[b]".repeat(100_000)}=1`)).toThrow(FormDecodeError);
    expect(() => decodeForm(Array.from({ length: 1_001 }, (_, i) => `p${i}=1`).join("&"))).toThrow(FormDecodeError);
    expect(() => decodeForm("metadata[__proto__]=1")).toThrow(FormDecodeError);
    expect(() => decodeForm("__proto__[polluted]=1")).toThrow(FormDecodeError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(decodeForm("metadata[constructor]=c&metadata[toString]=t")).toEqual({ metadata: { constructor: "c", toString: "t" } });
    expect(decodeForm("payment_method_options[card][installments][plan][count]=3")).toEqual({
      payment_method_options: { card: { installments: { plan: { count: "3" } } } },
    });
  });
});

describe("safe error log", () => {
  it("keeps class, SQL state and frames, drops messages that quote parameters", () => {
    const pg = Object.assign(new Error('invalid input syntax for type bigint: "4242424242424242"'), { name: "PostgresError", code: "22P02", routine: "pg_strtoint64" });
    class DrizzleQueryError extends Error {}
    const e = new DrizzleQueryError("Failed query: insert ... params: 4242424242424242", { cause: pg });
    const logged = JSON.stringify(safeErrorLog(e));
    expect(logged).not.toContain("4242");
    expect(safeErrorLog(e)).toMatchObject({ errorClass: "DrizzleQueryError", cause: { errorClass: "PostgresError", sqlState: "22P02", routine: "pg_strtoint64" } });
    expect(safeErrorLog(e).frames!.length).toBeGreaterThan(0);
  });
});
