import { currencyExponent } from "@/server/money/currencies";

/** Display only: minor units (as a digit string, from a bigint) in the currency's format, no floats. */
export function formatMinor(minor: string, currency: string, locale = "en-US"): string {
  const exp = currencyExponent(currency);
  const negative = minor.startsWith("-");
  const digits = (negative ? minor.slice(1) : minor).padStart(exp + 1, "0");
  const decimal = exp > 0 ? `${digits.slice(0, -exp)}.${digits.slice(-exp)}` : digits;
  const fmt = new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase(), minimumFractionDigits: exp, maximumFractionDigits: exp });
  // Intl formats decimal strings exactly (no conversion to a double).
  return fmt.format(`${negative ? "-" : ""}${decimal}` as unknown as number);
}

/** "5.00" in the currency's major units to minor units ("500"); null when not a valid amount for it. */
export function parseMajor(input: string, currency: string): string | null {
  const exp = currencyExponent(currency);
  const m = /^(\d{1,12})(?:[.,](\d*))?$/.exec(input.trim());
  if (!m) return null;
  const frac = m[2] ?? "";
  if (frac.length > exp) return null;
  const minor = BigInt(m[1]! + frac.padEnd(exp, "0"));
  return minor > 0n ? minor.toString() : null;
}

export function minorToMajor(minor: string, currency: string): string {
  const exp = currencyExponent(currency);
  const digits = minor.padStart(exp + 1, "0");
  return exp > 0 ? `${digits.slice(0, -exp)}.${digits.slice(-exp)}` : digits;
}
