import { accountBalances, trialBalance } from "../../ledger/balances";
import { merchantProcedure, router } from "../init";

/** The merchant's ledger: balances per account and currency, and the trial balance (zero when every currency balances). */
export const ledgerRouter = router({
  trialBalance: merchantProcedure.query(async ({ ctx }) => {
    const [tb, balances] = await Promise.all([trialBalance(ctx.db, { merchantId: ctx.merchantId }), accountBalances(ctx.db, ctx.merchantId)]);
    return {
      balanced: tb.balanced,
      currencies: tb.currencies.map((c) => ({ currency: c.currency, debitsMinor: c.debits.toString(), creditsMinor: c.credits.toString(), netMinor: c.net.toString() })),
      unbalancedJournals: tb.unbalancedJournals.map((j) => ({ journalId: j.journalId.toString(), currency: j.currency, sumMinor: j.sum.toString() })),
      accounts: balances.map((b) => ({ code: b.code, currency: b.currency, balanceMinor: b.balance.toString() })),
    };
  }),
});
