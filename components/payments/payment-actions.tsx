"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { AlertDialog, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogTitle, AlertDialogTrigger } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { useTRPC } from "@/trpc/client";

/** Capture or cancel, confirmed in a dialog that stays open until the call settles. */
export function ConfirmAction({ paymentId, kind }: { paymentId: string; kind: "capture" | "cancel" }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState(() => crypto.randomUUID());
  const options = { onSuccess: async () => {
    toast.success(kind === "capture" ? "Payment captured" : "Payment canceled");
    await queryClient.invalidateQueries(trpc.payments.pathFilter());
    setOpen(false);
  }, onError: (e: { message: string }) => toast.error(`${kind === "capture" ? "Capture" : "Cancel"} failed: ${e.message}`) };
  const capture = useMutation(trpc.payments.capture.mutationOptions(options));
  const cancel = useMutation(trpc.payments.cancel.mutationOptions(options));
  const m = kind === "capture" ? capture : cancel;
  const label = kind === "capture" ? "Capture" : "Cancel payment";
  return (
    <AlertDialog
      open={open}
      onOpenChange={(next) => {
        if (m.isPending) return;
        if (next) {
          setKey(crypto.randomUUID());
          m.reset();
        }
        setOpen(next);
      }}
    >
      <AlertDialogTrigger asChild>
        <Button variant={kind === "capture" ? "default" : "outline"}>{label}</Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogTitle>{kind === "capture" ? "Capture the authorized amount?" : "Cancel this payment?"}</AlertDialogTitle>
        <AlertDialogDescription>
          {kind === "capture" ? "The held funds are collected from the customer's card." : "The authorization is released; this cannot be undone."}
        </AlertDialogDescription>
        {m.error ? (
          <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-800">
            {m.error.message}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <AlertDialogCancel asChild>
            <Button variant="ghost" disabled={m.isPending}>
              Close
            </Button>
          </AlertDialogCancel>
          <Button
            variant={kind === "capture" ? "default" : "destructive"}
            disabled={m.isPending}
            onClick={() => (kind === "capture" ? capture.mutate({ idempotencyKey: key, id: paymentId }) : cancel.mutate({ idempotencyKey: key, id: paymentId }))}
          >
            {m.isPending ? "Working…" : kind === "capture" ? "Capture" : "Cancel payment"}
          </Button>
        </div>
      </AlertDialogContent>
    </AlertDialog>
  );
}
