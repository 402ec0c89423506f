import { DomainError } from "../errors";
import { currencyExponent, isSupportedCurrency } from "./currencies";

/** Money is always integer minor units plus an ISO currency; never a float. */
export interface Money {
  amountMinor: bigint;
  currency: string;
}

/** Largest amount accepted in one payment, in minor units (Stripe's limit: 8 digits for 2-decimal currencies). */
export const MAX_AMOUNT_MINOR = 99_999_999n;

export function normalizeCurrency(raw: string, param = "currency"): string {
  const code = raw.trim().toLowerCase();
  if (!isSupportedCurrency(code)) {
    throw new DomainError("currency_invalid", `Invalid currency: ${raw}. Use a supported ISO 4217 code such as usd, eur or jpy.`, { param });
  }
  return code;
}

/**
 * Parses a positive integer amount in minor units. Accepts bigint, safe integers and digit strings;
 * anything with a fraction, sign or exponent is rejected rather than rounded.
 */
export function parseAmountMinor(raw: unknown, param = "amount"): bigint {
  let value: bigint;
  if (typeof raw === "bigint") value = raw;
  else if (typeof raw === "number" && Number.isSafeInteger(raw)) value = BigInt(raw);
  else if (typeof raw === "string" && /^\d{1,18}$/.test(raw.trim())) value = BigInt(raw.trim());
  else throw new DomainError("parameter_invalid", `Invalid integer: ${String(raw)}. Amounts are integers in the currency's smallest unit.`, { param });
  if (value < 1n) throw new DomainError("amount_too_small", "Amount must be at least 1 in the currency's smallest unit.", { param });
  if (value > MAX_AMOUNT_MINOR) throw new DomainError("amount_too_large", `Amount must be no more than ${MAX_AMOUNT_MINOR}.`, { param });
  return value;
}

/** Formats for display only (receipts, dashboards): "12.34 USD", "1,000 JPY". */
export function formatMoney({ amountMinor, currency }: Money): string {
  const exp = currencyExponent(currency);
  const negative = amountMinor < 0n;
  const abs = negative ? -amountMinor : amountMinor;
  const digits = abs.toString().padStart(exp + 1, "0");
  const whole = digits.slice(0, digits.length - exp).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = exp > 0 ? `.${digits.slice(digits.length - exp)}` : "";
  return `${negative ? "-" : ""}${whole}${frac} ${currency.toUpperCase()}`;
}
