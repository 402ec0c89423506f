import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "./backoff";

describe("recovery backoff", () => {
  const policy = { baseMs: 1_000, capMs: 60_000 };

  it("doubles per failed try between half and the whole exponential delay", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it("never exceeds the cap, even after very many tries", () => {
    expect(backoffDelayMs(7, policy, () => 1)).toBe(60_000);
    expect(backoffDelayMs(10_000, policy, () => 1)).toBe(60_000);
  });

  it("spreads attempts that failed together", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3, policy)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(2_000);
  });
});
