"use client";

import { Elements, PaymentElement, useElements, useStripe } from "@stripe/react-stripe-js";
import type { Stripe } from "@stripe/stripe-js";
import { loadStripe } from "@stripe/stripe-js/pure";
import { AlertCircle, Loader2, Lock } from "lucide-react";
import { type FormEvent, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

export interface PaymentFormProps {
  publishableKey: string;
  /** The simulator's Stripe.js-compatible script, loaded before loadStripe; null with real Stripe. */
  scriptUrl: string | null;
  brandColor: string;
  payLabel: string;
  /** POST target: the page path + /confirm. */
  confirmPath: string;
  email: string | null;
  initialError: string | null;
}

type PayResult =
  | { outcome: "succeeded" | "requires_action"; redirectUrl: string }
  | { outcome: "declined" | "closed"; message: string };

// One Stripe instance per key for the page's lifetime (module scope, as loadStripe expects).
const instances = new Map<string, Promise<Stripe | null>>();
function stripeFor(publishableKey: string, scriptUrl: string | null): Promise<Stripe | null> {
  let p = instances.get(publishableKey);
  if (!p) {
    p = loadScript(scriptUrl).then(() => loadStripe(publishableKey));
    instances.set(publishableKey, p);
  }
  return p;
}

function loadScript(src: string | null): Promise<void> {
  if (!src || (window as { Stripe?: unknown }).Stripe) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error("The payment form could not be loaded."));
    document.head.appendChild(s);
  });
}

export function PaymentForm(props: PaymentFormProps) {
  // Null while rendering on the server; the browser loads the PSP's script, then Stripe.js.
  const stripe = typeof window === "undefined" ? null : stripeFor(props.publishableKey, props.scriptUrl);
  return (
    <Elements stripe={stripe} options={{ appearance: { theme: "stripe", variables: { colorPrimary: props.brandColor } } }}>
      <CheckoutForm {...props} />
    </Elements>
  );
}

function CheckoutForm({ payLabel, confirmPath, email: initialEmail, initialError }: PaymentFormProps) {
  const stripe = useStripe();
  const elements = useElements();
  const [ready, setReady] = useState(false);
  const [email, setEmail] = useState(initialEmail ?? "");
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState<"idle" | "paying" | "redirecting">("idle");
  // A ref, not state: a double click lands before React re-renders the disabled button.
  const inFlight = useRef(false);

  async function pay(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (inFlight.current || !stripe || !elements || !ready) return;
    inFlight.current = true;
    setBusy("paying");
    setError(null);
    const stop = (message: string | null) => {
      inFlight.current = false;
      setBusy("idle");
      setError(message);
    };
    try {
      const submitted = await elements.submit();
      // Field errors are shown inside the card form itself.
      if (submitted.error) return stop(submitted.error.type === "validation_error" ? null : (submitted.error.message ?? null));
      const { error: pmError, paymentMethod } = await stripe.createPaymentMethod({ elements, params: { billing_details: { email } } });
      if (pmError || !paymentMethod) return stop(pmError?.type === "validation_error" ? null : (pmError?.message ?? "Your card could not be read."));
      const response = await fetch(confirmPath, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ payment_method: paymentMethod.id, email: email || undefined }),
      });
      const result = (await response.json()) as PayResult;
      if (result.outcome === "succeeded" || result.outcome === "requires_action") {
        setBusy("redirecting");
        window.location.assign(result.redirectUrl);
        return;
      }
      if (result.outcome === "closed") {
        window.location.reload();
        return;
      }
      if (result.outcome === "declined") return stop(result.message);
      stop("Your payment could not be completed. Please try again.");
    } catch {
      stop("Something went wrong while contacting the server. You have not been charged twice; please try again.");
    }
  }

  const disabled = !stripe || !elements || !ready || busy !== "idle";
  return (
    <form onSubmit={pay} className="space-y-5" aria-describedby={error ? "payment-error" : undefined}>
      <div className="space-y-1.5">
        <Label htmlFor="email" className="block text-slate-700">Email</Label>
        <Input appearance="checkout" id="email" type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} placeholder="you@example.com" />
      </div>
      <fieldset className="space-y-1.5">
        <legend className="sr-only">Card information</legend>
        <div className="relative min-h-[230px]">
          {!ready && (
            <div aria-hidden="true" className="absolute inset-0 space-y-3">
              <div className="h-5 w-24 animate-pulse rounded bg-slate-200" />
              <div className="h-11 animate-pulse rounded-lg bg-slate-200" />
              <div className="grid grid-cols-2 gap-3">
                <div className="h-11 animate-pulse rounded-lg bg-slate-200" />
                <div className="h-11 animate-pulse rounded-lg bg-slate-200" />
              </div>
              <div className="h-11 animate-pulse rounded-lg bg-slate-200" />
            </div>
          )}
          <PaymentElement options={{ layout: "tabs" }} onReady={() => setReady(true)} />
        </div>
      </fieldset>
      {error && (
        <Alert variant="destructive" id="payment-error">
          <AlertCircle aria-hidden="true" />
          <div>
            <p className="font-medium">{error}</p>
            <p className="mt-0.5 text-red-700">Check your details or try another card.</p>
          </div>
        </Alert>
      )}
      <Button type="submit" variant="brand" size="lg" className="w-full" disabled={disabled} aria-busy={busy !== "idle"}>
        {busy === "idle" ? (
          <>
            <Lock aria-hidden="true" className="size-4" />
            {payLabel}
          </>
        ) : (
          <>
            <Loader2 aria-hidden="true" className="size-5 animate-spin" />
            {busy === "paying" ? "Processing…" : "Redirecting…"}
          </>
        )}
      </Button>
    </form>
  );
}
