/** Processing fees in integer minor units (bigint arithmetic, never floats). */

/** 2.9% + 30, the percentage part rounded half up. */
export function processingFee(amountMinor: number): number {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new RangeError(`invalid amount ${amountMinor}`);
  const percent = (BigInt(amountMinor) * 29n + 500n) / 1000n;
  return Number(percent + 30n);
}

/** Flat fee Stripe withholds when a dispute opens. */
export const DISPUTE_FEE_MINOR = 1500;
