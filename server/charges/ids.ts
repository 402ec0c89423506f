import { derivedId } from "../ids";

/**
 * Charges and balance transactions take ids derived from the fact they record (the authorization
 * attempt, the ledger journal), so applying the same PSP result twice names the same object and
 * the second insert is a no-op.
 */
export const chargeIdFor = (merchantId: string, attemptId: string) => derivedId("ch", merchantId, `charge:${attemptId}`);

export const balanceTransactionIdFor = (merchantId: string, journalReference: string) => derivedId("txn", merchantId, `txn:${journalReference}`);
