import { describe, expect, it } from "vitest";
import { formatMinor, minorToMajor, parseMajor } from "./money";

describe("dashboard money formatting", () => {
  it("formats minor units with the currency exponent, exactly", () => {
    expect(formatMinor("123456", "usd")).toBe("$1,234.56");
    expect(formatMinor("1000", "jpy")).toBe("¥1,000");
    expect(formatMinor("1234", "kwd")).toBe("KWD\u00a01.234");
    expect(formatMinor("9007199254740993", "usd")).toBe("$90,071,992,547,409.93");
    expect(formatMinor("-500", "eur")).toBe("-€5.00");
  });
  it("parses major units into minor units and refuses more decimals than the currency has", () => {
    expect(parseMajor("5.00", "usd")).toBe("500");
    expect(parseMajor("5", "usd")).toBe("500");
    expect(parseMajor("5.001", "usd")).toBeNull();
    expect(parseMajor("500", "jpy")).toBe("500");
    expect(parseMajor("5.5", "jpy")).toBeNull();
    expect(parseMajor("0", "usd")).toBeNull();
    expect(parseMajor("-1", "usd")).toBeNull();
    expect(minorToMajor("2000", "usd")).toBe("20.00");
  });
});
