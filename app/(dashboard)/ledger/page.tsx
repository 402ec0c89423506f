import type { Metadata } from "next";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatMinor } from "@/lib/money";
import { memberAllowed } from "@/server/auth/current";
import { createTRPCContext } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";
import { headers } from "next/headers";

export const metadata: Metadata = { title: "Ledger · Payrail" };

/** Balances per account and currency, and the trial balance (every currency nets to zero). */
export default async function LedgerPage() {
  const { allowed } = await memberAllowed("ledger.trialBalance");
  if (!allowed) {
    return <p role="alert">Your role cannot see the ledger.</p>;
  }
  const caller = createCaller(await createTRPCContext({ headers: await headers() }));
  const tb = await caller.ledger.trialBalance();
  return (
    <div className="grid gap-6">
      <h1 className="text-2xl font-semibold tracking-tight">Ledger</h1>
      <Card>
        <CardHeader>
          <CardTitle>Trial balance</CardTitle>
          <p className={tb.balanced ? "text-sm font-medium text-green-800" : "text-sm font-medium text-red-800"}>
            {tb.balanced ? "Balanced: debits equal credits in every currency." : "Out of balance: see the journals below."}
          </p>
        </CardHeader>
        <CardContent>
          {tb.currencies.length === 0 ? (
            <p className="text-sm text-slate-600">No journals yet: the ledger fills as payments are captured and refunded.</p>
          ) : (
            <Table aria-label="Trial balance">
              <TableHeader>
                <TableRow>
                  <TableHead scope="col">Currency</TableHead>
                  <TableHead scope="col" className="text-right">Debits</TableHead>
                  <TableHead scope="col" className="text-right">Credits</TableHead>
                  <TableHead scope="col" className="text-right">Net</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {tb.currencies.map((c) => (
                  <TableRow key={c.currency}>
                    <TableCell>{c.currency.toUpperCase()}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatMinor(c.debitsMinor, c.currency)}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatMinor(c.creditsMinor, c.currency)}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatMinor(c.netMinor, c.currency)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Account balances</CardTitle>
        </CardHeader>
        <CardContent>
          <Table aria-label="Account balances">
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Account</TableHead>
                <TableHead scope="col">Currency</TableHead>
                <TableHead scope="col" className="text-right">Balance (debit +)</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {tb.accounts.map((a) => (
                <TableRow key={`${a.code}-${a.currency}`}>
                  <TableCell>{a.code}</TableCell>
                  <TableCell>{a.currency.toUpperCase()}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatMinor(a.balanceMinor, a.currency)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </div>
  );
}
