import type * as React from "react";
import { cn } from "@/lib/utils";

const APPEARANCE = {
  default:
    "h-9 w-full rounded-md border border-slate-300 bg-white px-3 py-1 text-sm text-slate-900 placeholder:text-slate-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-600 aria-invalid:border-red-600 disabled:opacity-60",
  /** The hosted checkout: larger, 16px text (no zoom on phones), focus in the merchant colour (--brand). */
  checkout: cn(
    "h-11 w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 text-base text-slate-900 shadow-xs outline-none transition-[border-color,box-shadow] placeholder:text-slate-400",
    "focus-visible:border-[var(--brand)] focus-visible:ring-[3px] focus-visible:ring-[color-mix(in_srgb,var(--brand)_25%,transparent)]",
    "aria-invalid:border-red-600 disabled:cursor-not-allowed disabled:opacity-60",
  ),
};

export function Input({ className, appearance = "default", ...props }: React.ComponentProps<"input"> & { appearance?: keyof typeof APPEARANCE }) {
  return <input data-slot="input" className={cn(APPEARANCE[appearance], className)} {...props} />;
}

export function Select({ className, ...props }: React.ComponentProps<"select">) {
  return (
    <select
      data-slot="select"
      className={cn("h-9 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-600", className)}
      {...props}
    />
  );
}
