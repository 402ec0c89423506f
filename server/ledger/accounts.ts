import { is, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../../db/client";
import { DomainError } from "../errors";
import { isSupportedCurrency } from "../money/currencies";
import { pgArray, rows } from "./sql";

/**
 * Ledger accounts per merchant and currency. Signed amounts: debit > 0, credit < 0.
 * - authorization_holds / authorization_commitments: memo pair for funds on hold at the PSP
 *   (holds carries the debit balance of what is still authorized and uncaptured).
 * - psp_receivable: asset, funds at the PSP for the merchant.
 * - merchant_payable: liability, what we owe the merchant (credit balance).
 * - psp_fees: expense, PSP fees.
 * - disputes: not posted to by the dispute journals (a withdrawal is charged to merchant_payable and
 *   psp_fees, see rules.ts); kept so existing accounts stay valid codes.
 */
export const ACCOUNT_CODES = [
  "authorization_holds",
  "authorization_commitments",
  "psp_receivable",
  "merchant_payable",
  "psp_fees",
  "disputes",
] as const;

export type AccountCode = (typeof ACCOUNT_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(ACCOUNT_CODES);

export function isAccountCode(value: unknown): value is AccountCode {
  return typeof value === "string" && CODE_SET.has(value);
}

/**
 * Process-level cache of account ids, keyed by merchant, currency and code. Accounts are never
 * updated or deleted, so an id that is known to be committed stays valid for the life of the process.
 */
const accountIds = new Map<string, bigint>();

const cacheKey = (merchantId: string, currency: string, code: string) => `${merchantId}\u0000${currency}\u0000${code}`;

/** Forgets cached account ids (tests that recreate databases in one process). */
export function resetAccountCache(): void {
  accountIds.clear();
}

export function assertLedgerCurrency(currency: string): void {
  if (typeof currency !== "string" || !isSupportedCurrency(currency)) {
    throw new DomainError("currency_invalid", `Invalid ledger currency: ${String(currency)}. Use a lower-case supported ISO 4217 code.`, {
      param: "currency",
    });
  }
}

interface AccountRow extends Record<string, unknown> {
  id: bigint;
  code: string;
  /** True when the row was not created by the current transaction, so it is committed. */
  settled: boolean;
}

/**
 * Returns code -> account id for the merchant's accounts in `currency`, creating missing rows
 * (INSERT ... ON CONFLICT DO NOTHING, then SELECT, so concurrent creators converge on one row).
 *
 * Works on a pool handle or inside a caller's transaction. Ids are cached only once they are known
 * to be committed: on a pool handle every statement commits on its own; inside a transaction a row
 * whose created_at equals now() may have been created by this (possibly rolled back) transaction,
 * so it is not cached.
 */
export async function ensureAccounts(
  db: DbOrTx,
  merchantId: string,
  currency: string,
  codes: readonly AccountCode[],
): Promise<Map<AccountCode, bigint>> {
  const result = new Map<AccountCode, bigint>();
  const missing: AccountCode[] = [];
  for (const code of codes) {
    if (result.has(code)) continue;
    const id = accountIds.get(cacheKey(merchantId, currency, code));
    if (id === undefined) missing.push(code);
    else result.set(code, id);
  }
  if (missing.length === 0) return result;

  if (typeof merchantId !== "string" || merchantId.length === 0) {
    throw new DomainError("parameter_missing", "A merchant id is required for ledger accounts.", { param: "merchantId" });
  }
  assertLedgerCurrency(currency);
  for (const code of missing) {
    if (!isAccountCode(code)) {
      throw new DomainError("parameter_invalid", `Unknown ledger account code: ${String(code)}.`, { param: "account" });
    }
  }

  const inTransaction = is(db, PgTransaction);
  const codesParam = pgArray(missing);
  const select = sql`
    select id, code, created_at <> now() as settled
      from ledger_accounts
     where merchant_id = ${merchantId} and currency = ${currency} and code = any(${codesParam}::text[])`;

  let found = await rows<AccountRow>(db, select);
  if (found.length < missing.length) {
    try {
      await db.execute(sql`
        insert into ledger_accounts (merchant_id, code, currency)
        select ${merchantId}, c, ${currency} from unnest(${codesParam}::text[]) as c
        on conflict (merchant_id, code, currency) do nothing`);
    } catch (e) {
      if ((e as { code?: string }).code === "23503") {
        throw new DomainError("resource_missing", `No such merchant: ${merchantId}`, { param: "merchantId" });
      }
      throw e;
    }
    found = await rows<AccountRow>(db, select);
  }

  for (const row of found) {
    const code = row.code as AccountCode;
    result.set(code, row.id);
    if (!inTransaction || row.settled) accountIds.set(cacheKey(merchantId, currency, code), row.id);
  }
  for (const code of missing) {
    if (!result.has(code)) {
      // Only possible under REPEATABLE READ when another transaction created the row after our snapshot.
      throw new DomainError("internal_error", `Ledger account ${code} (${currency}) for merchant ${merchantId} could not be resolved; retry.`);
    }
  }
  return result;
}
