import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { computeTotals } from "./amounts";

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError ? e.code : "other";
  }
  return "none";
};

describe("checkout amounts", () => {
  it("sums unit amount times quantity per line", () => {
    expect(computeTotals([{ unitAmount: 1999n, quantity: 2 }, { unitAmount: 500n, quantity: 1 }])).toEqual({ lineTotals: [3998n, 500n], total: 4498n });
  });
  it("refuses a total beyond one payment's maximum instead of wrapping", () => {
    expect(codeOf(() => computeTotals([{ unitAmount: 99_999_999n, quantity: 1 }, { unitAmount: 1n, quantity: 1 }]))).toBe("amount_too_large");
    expect(codeOf(() => computeTotals([{ unitAmount: 9_007_199_254_740_991n, quantity: 999_999 }]))).toBe("amount_too_large");
  });
  it("refuses a zero total, negative prices and fractional quantities", () => {
    expect(codeOf(() => computeTotals([{ unitAmount: 0n, quantity: 3 }]))).toBe("amount_too_small");
    expect(codeOf(() => computeTotals([{ unitAmount: -1n, quantity: 1 }]))).toBe("parameter_invalid");
    expect(codeOf(() => computeTotals([{ unitAmount: 1n, quantity: 1.5 }]))).toBe("parameter_invalid");
  });
});
