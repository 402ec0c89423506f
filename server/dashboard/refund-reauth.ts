import { env } from "../env";
import { currencyExponent } from "../money/currencies";

/** REFUND_REAUTH_ABOVE (major units, default 100) in the currency's minor units. */
export function refundReauthAboveMinor(currency: string, configured = env().REFUND_REAUTH_ABOVE ?? "100"): bigint {
  const [whole = "0", frac = ""] = configured.split(".");
  const e = currencyExponent(currency);
  return BigInt(whole + frac.slice(0, e).padEnd(e, "0"));
}
