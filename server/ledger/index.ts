export { ACCOUNT_CODES, ensureAccounts, isAccountCode, resetAccountCache, type AccountCode } from "./accounts";
export {
  JOURNAL_KINDS,
  assertBalanced,
  assertCanCapture,
  assertCanRefund,
  assertCanRelease,
  authorizationJournal,
  captureJournal,
  derivePaymentTotals,
  disputeJournal,
  disputeReversalJournal,
  refundJournal,
  releaseJournal,
  type JournalDraft,
  type JournalKind,
  type JournalLine,
  type PaymentTotals,
} from "./rules";
export { postJournal, reverseJournal, type PostJournalInput, type PostJournalResult } from "./post";
export {
  accountBalances,
  paymentLedgerTotals,
  trialBalance,
  type AccountBalance,
  type TrialBalance,
  type TrialBalanceRow,
  type UnbalancedJournal,
} from "./balances";
