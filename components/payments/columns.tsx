import { createColumnHelper, tableFeatures } from "@tanstack/react-table";
import Link from "next/link";
import { formatMinor } from "@/lib/money";
import type { PaymentListRow } from "@/server/dashboard/payments-list";
import { StatusBadge } from "./status-badge";

export const features = tableFeatures({});
const col = createColumnHelper<typeof features, PaymentListRow>();

const dateFmt = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export const columns = col.columns([
  col.accessor("amountMinor", {
    header: "Amount",
    cell: ({ row }) => (
      <Link className="font-medium text-slate-900 underline-offset-2 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-600" href={`/payments/${row.original.id}`}>
        {formatMinor(row.original.amountMinor, row.original.currency)}
        <span className="sr-only"> payment {row.original.id}</span>
      </Link>
    ),
  }),
  col.accessor("statusGroup", { header: "Status", cell: (c) => <StatusBadge group={c.getValue()} /> }),
  col.accessor("email", { header: "Customer", cell: ({ row }) => row.original.email ?? row.original.customer ?? <span className="text-slate-500">—</span> }),
  col.accessor("cardLast4", {
    header: "Card",
    cell: ({ row }) => (row.original.cardLast4 ? `${row.original.cardBrand ?? "card"} •••• ${row.original.cardLast4}` : <span className="text-slate-500">—</span>),
  }),
  col.accessor("id", { header: "ID", cell: (c) => <code className="text-xs text-slate-700">{c.getValue()}</code> }),
  col.accessor("createdAt", { header: "Created (UTC)", cell: (c) => <time dateTime={c.getValue()}>{dateFmt.format(new Date(c.getValue()))}</time> }),
]);
