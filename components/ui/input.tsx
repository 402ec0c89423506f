import type * as React from "react";
import { cn } from "./cn";

export function Input({ className, type, ...props }: React.ComponentProps<"input">) {
  return (
    <input
      type={type}
      data-slot="input"
      className={cn(
        "h-11 w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 text-base text-slate-900 shadow-xs outline-none transition-[border-color,box-shadow] placeholder:text-slate-400",
        "focus-visible:border-[var(--brand)] focus-visible:ring-[3px] focus-visible:ring-[color-mix(in_srgb,var(--brand)_25%,transparent)]",
        "aria-invalid:border-red-600 disabled:cursor-not-allowed disabled:opacity-60",
        className,
      )}
      {...props}
    />
  );
}
