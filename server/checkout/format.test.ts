import { describe, expect, it } from "vitest";
import { formatAmount as raw, localeFrom } from "./format";

// Intl separates with no-break spaces; compare with plain ones.
const formatAmount = (...a: Parameters<typeof raw>) => raw(...a).replace(/\s/g, " ");

describe("hosted checkout amounts", () => {
  it("formats with the currency's exponent and the customer's locale", () => {
    expect(formatAmount("3998", "usd", "en-US")).toBe("$39.98");
    expect(formatAmount(1500n, "jpy", "en-US")).toBe("¥1,500");
    expect(formatAmount("1234", "kwd", "en-US")).toBe("KWD 1.234");
    expect(formatAmount("123456", "eur", "de-DE")).toBe("1.234,56 €");
  });
  it("takes the first supported Accept-Language tag", () => {
    expect(localeFrom("de-DE,de;q=0.9,en;q=0.8")).toBe("de-DE");
    expect(localeFrom(null)).toBe("en-US");
    expect(localeFrom("*, not a tag!!")).toBe("en-US");
  });
});
