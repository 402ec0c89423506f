"use client";

import { useQueryStates } from "nuqs";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { STATUS_GROUP_KEYS, STATUS_GROUPS } from "@/server/dashboard/payment-filters";
import { paymentSearchParams } from "./search-params";

const CURRENCIES = ["usd", "eur", "gbp", "jpy", "chf", "cad", "aud"];

/** Search and filters; every change lands in the URL (shareable, survives reload) and starts from the first page. */
export function PaymentsToolbar() {
  const [params, setParams] = useQueryStates(paymentSearchParams, { shallow: true });
  const [q, setQ] = useState(params.q);
  useEffect(() => setQ(params.q), [params.q]);
  useEffect(() => {
    if (q === params.q) return;
    const t = setTimeout(() => setParams({ q: q || null, after: null, before: null }), 300);
    return () => clearTimeout(t);
  }, [q, params.q, setParams]);
  const set = (patch: Partial<Record<"status" | "currency" | "from" | "to", string | null>>) =>
    setParams({ ...(patch as object), after: null, before: null } as Parameters<typeof setParams>[0]);

  return (
    <div className="mb-4 grid grid-cols-2 gap-3 md:grid-cols-[minmax(14rem,1fr)_auto_auto_auto_auto_auto] md:items-end">
      {/* Phones: search across, filters two by two, so the first rows of results stay on the first screen. */}
      <div className="col-span-2 grid gap-1.5 md:col-span-1">
        <Label htmlFor="payment-search">Search payments</Label>
        <Input id="payment-search" type="search" role="searchbox" placeholder="ID, email, last 4, amount, order id" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="filter-status">Status</Label>
        <Select id="filter-status" value={params.status ?? ""} onChange={(e) => set({ status: e.target.value || null })}>
          <option value="">All</option>
          {STATUS_GROUP_KEYS.map((k) => (
            <option key={k} value={k}>
              {STATUS_GROUPS[k].label}
            </option>
          ))}
        </Select>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="filter-currency">Currency</Label>
        <Select id="filter-currency" value={params.currency ?? ""} onChange={(e) => set({ currency: e.target.value || null })}>
          <option value="">All</option>
          {CURRENCIES.map((c) => (
            <option key={c} value={c}>
              {c.toUpperCase()}
            </option>
          ))}
        </Select>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="filter-from">From</Label>
        <Input id="filter-from" type="date" value={params.from ?? ""} onChange={(e) => set({ from: e.target.value || null })} />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="filter-to">To</Label>
        <Input id="filter-to" type="date" value={params.to ?? ""} onChange={(e) => set({ to: e.target.value || null })} />
      </div>
      <Button className="col-span-2 md:col-span-1" variant="ghost" onClick={() => setParams(null)}>
        Clear filters
      </Button>
    </div>
  );
}
