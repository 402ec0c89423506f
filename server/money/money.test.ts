import { describe, expect, it } from "vitest";
import type { DomainError } from "../errors";
import { currencyExponent } from "./currencies";
import { formatMoney, normalizeCurrency, parseAmountMinor } from "./money";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return "no error";
};

describe("money", () => {
  it("knows currency exponents", () => {
    expect([currencyExponent("jpy"), currencyExponent("usd"), currencyExponent("kwd")]).toEqual([0, 2, 3]);
  });
  it("normalizes currency codes and rejects unknown ones", () => {
    expect(normalizeCurrency("USD")).toBe("usd");
    expect(codeOf(() => normalizeCurrency("xyz"))).toBe("currency_invalid");
    expect(codeOf(() => normalizeCurrency("us"))).toBe("currency_invalid");
  });
  it("parses integer minor units and rejects fractions, signs and floats", () => {
    expect(parseAmountMinor("1999")).toBe(1999n);
    expect(parseAmountMinor(1999)).toBe(1999n);
    expect(codeOf(() => parseAmountMinor("19.99"))).toBe("parameter_invalid");
    expect(codeOf(() => parseAmountMinor(19.99))).toBe("parameter_invalid");
    expect(codeOf(() => parseAmountMinor("-5"))).toBe("parameter_invalid");
    expect(codeOf(() => parseAmountMinor("1e3"))).toBe("parameter_invalid");
    expect(codeOf(() => parseAmountMinor(0))).toBe("amount_too_small");
    expect(codeOf(() => parseAmountMinor("100000000"))).toBe("amount_too_large");
  });
  it("formats by exponent", () => {
    expect(formatMoney({ amountMinor: 123456n, currency: "usd" })).toBe("1,234.56 USD");
    expect(formatMoney({ amountMinor: 1000n, currency: "jpy" })).toBe("1,000 JPY");
    expect(formatMoney({ amountMinor: 5n, currency: "kwd" })).toBe("0.005 KWD");
    expect(formatMoney({ amountMinor: -250n, currency: "eur" })).toBe("-2.50 EUR");
  });
});
