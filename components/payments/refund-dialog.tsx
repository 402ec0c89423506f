"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { AlertDialog, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogTitle, AlertDialogTrigger } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { formatMinor, minorToMajor, parseMajor } from "@/lib/money";
import { useTRPC } from "@/trpc/client";

/**
 * Refund in major units ("5.00"). One idempotency key per opened dialog, so a double submit or a
 * retry after a network error refunds once. The dialog stays open while the refund runs and shows
 * its error; refunds above the configured amount ask for the password.
 */
export function RefundDialog({ paymentId, currency, refundableMinor, reauthAbove }: { paymentId: string; currency: string; refundableMinor: string; reauthAbove: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState(() => crypto.randomUUID());
  const schema = z.object({
    amount: z
      .string()
      .refine((v) => parseMajor(v, currency) !== null, "Enter a positive amount, like 5.00")
      .refine((v) => BigInt(parseMajor(v, currency) ?? "0") <= BigInt(refundableMinor), `At most ${formatMinor(refundableMinor, currency)} can be refunded`),
    password: z.string().optional(),
  });
  const form = useForm<z.infer<typeof schema>>({ resolver: zodResolver(schema), defaultValues: { amount: minorToMajor(refundableMinor, currency), password: "" } });
  const amountMinor = parseMajor(form.watch("amount") ?? "", currency);
  const threshold = parseMajor(reauthAbove, currency);
  const needsPassword = amountMinor !== null && threshold !== null && BigInt(amountMinor) > BigInt(threshold);
  const refund = useMutation(
    trpc.payments.refund.mutationOptions({
      onSuccess: async () => {
        toast.success(`Refunded ${formatMinor(amountMinor ?? "0", currency)}`);
        await queryClient.invalidateQueries(trpc.payments.pathFilter());
        setOpen(false);
      },
      onError: (e) => toast.error(`Refund failed: ${e.message}`),
    }),
  );
  const submit = form.handleSubmit((v) =>
    refund.mutate({ idempotencyKey: key, payment_intent: paymentId, amount: parseMajor(v.amount, currency)!, ...(needsPassword ? { password: v.password } : {}) }),
  );
  const amountError = form.formState.errors.amount?.message;

  return (
    <AlertDialog
      open={open}
      onOpenChange={(next) => {
        if (refund.isPending) return; // never closes before the refund settles
        if (next) {
          setKey(crypto.randomUUID());
          refund.reset();
          form.reset({ amount: minorToMajor(refundableMinor, currency), password: "" });
        }
        setOpen(next);
      }}
    >
      <AlertDialogTrigger asChild>
        <Button variant="outline">Refund</Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogTitle>Refund payment</AlertDialogTitle>
        <AlertDialogDescription>Up to {formatMinor(refundableMinor, currency)} can be refunded. The customer sees it in 5-10 days.</AlertDialogDescription>
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <div className="grid gap-1.5">
            <Label htmlFor="refund-amount">Amount</Label>
            <Input id="refund-amount" inputMode="decimal" autoComplete="off" aria-invalid={Boolean(amountError)} aria-describedby={amountError ? "refund-amount-error" : "refund-amount-hint"} {...form.register("amount")} />
            <p id={amountError ? "refund-amount-error" : "refund-amount-hint"} className={amountError ? "text-sm text-red-700" : "text-xs text-slate-600"}>
              {amountError ?? `In ${currency.toUpperCase()}, like 5.00`}
            </p>
          </div>
          {needsPassword ? (
            <div className="grid gap-1.5">
              <Label htmlFor="refund-password">Your password</Label>
              <Input id="refund-password" type="password" autoComplete="current-password" {...form.register("password")} />
              <p className="text-xs text-slate-600">Refunds above {formatMinor(threshold ?? "0", currency)} need your password.</p>
            </div>
          ) : null}
          {refund.error ? (
            <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-800">
              {refund.error.message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <AlertDialogCancel asChild>
              <Button type="button" variant="ghost" disabled={refund.isPending}>
                Close
              </Button>
            </AlertDialogCancel>
            <Button type="submit" variant="destructive" disabled={refund.isPending}>
              {refund.isPending ? "Refunding…" : "Refund"}
            </Button>
          </div>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}
