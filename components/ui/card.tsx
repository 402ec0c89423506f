import type * as React from "react";
import { cn } from "@/lib/utils";

export const Card = ({ className, ...props }: React.ComponentProps<"section">) => (
  <section data-slot="card" className={cn("rounded-lg border border-slate-200 bg-white shadow-sm", className)} {...props} />
);
export const CardHeader = ({ className, ...props }: React.ComponentProps<"div">) => <div className={cn("flex flex-col gap-1 border-b border-slate-200 px-4 py-3", className)} {...props} />;
export const CardTitle = ({ className, ...props }: React.ComponentProps<"h2">) => <h2 className={cn("text-base font-semibold", className)} {...props} />;
export const CardContent = ({ className, ...props }: React.ComponentProps<"div">) => <div className={cn("px-4 py-3", className)} {...props} />;
export const Skeleton = ({ className, ...props }: React.ComponentProps<"div">) => (
  <div data-slot="skeleton" aria-hidden className={cn("animate-pulse rounded-md bg-slate-200", className)} {...props} />
);
