"use client";

import { AlertDialog as P } from "radix-ui";
import type * as React from "react";
import { cn } from "@/lib/utils";

export const AlertDialog = P.Root;
export const AlertDialogTrigger = P.Trigger;
export const AlertDialogCancel = P.Cancel;

export function AlertDialogContent({ className, children, ...props }: React.ComponentProps<typeof P.Content>) {
  return (
    <P.Portal>
      <P.Overlay className="fixed inset-0 z-40 bg-slate-900/50" />
      <P.Content
        data-slot="alert-dialog-content"
        className={cn(
          "fixed top-1/2 left-1/2 z-50 grid w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 gap-4 rounded-lg border border-slate-200 bg-white p-5 shadow-lg focus:outline-none",
          className,
        )}
        {...props}
      >
        {children}
      </P.Content>
    </P.Portal>
  );
}
export const AlertDialogTitle = ({ className, ...props }: React.ComponentProps<typeof P.Title>) => <P.Title className={cn("text-lg font-semibold", className)} {...props} />;
export const AlertDialogDescription = ({ className, ...props }: React.ComponentProps<typeof P.Description>) => (
  <P.Description className={cn("text-sm text-slate-600", className)} {...props} />
);
