import type * as React from "react";
import { cn } from "./cn";

export function Label({ className, ...props }: React.ComponentProps<"label">) {
  // biome-ignore lint/a11y/noLabelWithoutControl: callers pass htmlFor
  return <label data-slot="label" className={cn("block text-sm font-medium text-slate-700", className)} {...props} />;
}
