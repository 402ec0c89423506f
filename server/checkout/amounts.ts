import { DomainError } from "../errors";
import { MAX_AMOUNT_MINOR } from "../money/money";

export interface PricedLine {
  unitAmount: bigint;
  quantity: number;
}

/**
 * Line totals and the session total in minor units (bigint). The client never sends an amount:
 * everything is computed here from the merchant's line items, and a total beyond what one payment
 * may carry is refused rather than wrapped or rounded.
 */
export function computeTotals(lines: PricedLine[]): { lineTotals: bigint[]; total: bigint } {
  const lineTotals = lines.map((l, i) => {
    if (l.unitAmount < 0n) throw new DomainError("parameter_invalid", "unit_amount may not be negative.", { param: `line_items[${i}][price_data][unit_amount]` });
    if (!Number.isSafeInteger(l.quantity) || l.quantity < 1) {
      throw new DomainError("parameter_invalid", "quantity must be a positive integer.", { param: `line_items[${i}][quantity]` });
    }
    const lineTotal = l.unitAmount * BigInt(l.quantity);
    if (lineTotal > MAX_AMOUNT_MINOR) throw tooLarge(`line_items[${i}]`);
    return lineTotal;
  });
  const total = lineTotals.reduce((sum, t) => sum + t, 0n);
  if (total > MAX_AMOUNT_MINOR) throw tooLarge("line_items");
  if (total < 1n) throw new DomainError("amount_too_small", "The total of the line items must be at least 1 in the currency's smallest unit.", { param: "line_items" });
  return { lineTotals, total };
}

const tooLarge = (param: string) => new DomainError("amount_too_large", `The total amount must be no more than ${MAX_AMOUNT_MINOR} in the currency's smallest unit.`, { param });
