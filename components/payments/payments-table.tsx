"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { flexRender, useTable } from "@tanstack/react-table";
import { useQueryStates } from "nuqs";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { PaymentListRow } from "@/server/dashboard/payments-list";
import { useTRPC } from "@/trpc/client";
import { columns, features } from "./columns";
import { paymentSearchParams, toListInput } from "./search-params";

export function PaymentsTable() {
  const trpc = useTRPC();
  const [params, setParams] = useQueryStates(paymentSearchParams, { shallow: true });
  const { data } = useSuspenseQuery(trpc.payments.list.queryOptions(toListInput(params)));
  const table = useTable<typeof features, PaymentListRow>({ features, columns, data: data.rows, getRowId: (r) => r.id });
  const filtered = Boolean(params.q || params.status || params.currency || params.from || params.to);

  if (data.rows.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center">
        {filtered ? (
          <>
            <p className="font-medium">No payments match these filters</p>
            <Button className="mt-3" variant="outline" onClick={() => setParams(null)}>
              Clear filters
            </Button>
          </>
        ) : (
          <>
            <p className="font-medium">No payments yet</p>
            <p className="mt-1 text-sm text-slate-600">Payments created through the API (POST /v1/payment_intents) appear here.</p>
          </>
        )}
      </div>
    );
  }
  return (
    <div className="rounded-lg border border-slate-200 bg-white">
      <Table>
        <caption className="sr-only">Payments, newest first</caption>
        <TableHeader>
          {table.getHeaderGroups().map((hg) => (
            <TableRow key={hg.id}>
              {hg.headers.map((h) => (
                <TableHead key={h.id} scope="col">
                  {flexRender(h.column.columnDef.header, h.getContext())}
                </TableHead>
              ))}
            </TableRow>
          ))}
        </TableHeader>
        <TableBody>
          {table.getRowModel().rows.map((row) => (
            <TableRow key={row.id}>
              {row.getAllCells().map((cell) => (
                <TableCell key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <nav aria-label="Pagination" className="flex items-center justify-end gap-2 border-t border-slate-200 px-3 py-2">
        <Button variant="outline" size="sm" disabled={!data.hasNewer} onClick={() => setParams({ before: data.firstId, after: null })}>
          Newer
        </Button>
        <Button variant="outline" size="sm" disabled={!data.hasOlder} onClick={() => setParams({ after: data.lastId, before: null })}>
          Older
        </Button>
      </nav>
    </div>
  );
}

export function PaymentsTableSkeleton() {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3" role="status" aria-label="Loading payments">
      {Array.from({ length: 6 }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholder rows have no identity
        <div key={i} className="flex gap-4 py-2.5">
          {columns.map((c, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: placeholder cells have no identity
            <div key={`${String(c.header)}${j}`} className="h-4 flex-1 animate-pulse rounded bg-slate-200" />
          ))}
        </div>
      ))}
    </div>
  );
}
