import { currencyExponent } from "../money/currencies";

/** The customer's locale from Accept-Language (first supported tag), else en-US. */
export function localeFrom(acceptLanguage: string | null): string {
  for (const part of (acceptLanguage ?? "").split(",")) {
    const tag = part.split(";")[0]?.trim();
    if (!tag || tag === "*") continue;
    try {
      if (Intl.NumberFormat.supportedLocalesOf([tag]).length > 0) return tag;
    } catch {
      // not a well-formed tag: try the next one
    }
  }
  return "en-US";
}

/**
 * Minor units to a localized amount with the currency's own exponent (JPY 0, USD 2, KWD 3).
 * Amounts are at most 99,999,999 minor units, so the division is exact in a double.
 */
export function formatAmount(minor: string | bigint, currency: string, locale: string): string {
  const exp = currencyExponent(currency);
  const value = Number(BigInt(minor)) / 10 ** exp;
  return new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase(), minimumFractionDigits: exp, maximumFractionDigits: exp }).format(value);
}
