import { DomainError } from "../errors";
import type { PaymentsContext } from "./context";
import { clientSecretMatches } from "./client-secret";
import { findPaymentIntent } from "./repository";

/**
 * A publishable key (what Stripe.js holds) may act on one intent only, named by its client_secret.
 * Secret keys pass unchecked. Mismatches answer like Stripe, without saying which part was wrong.
 */
export async function checkClientSecret(
  ctx: Pick<PaymentsContext, "db"> & { merchantId: string; keyKind: "secret" | "publishable" },
  id: string,
  presented: unknown,
): Promise<void> {
  if (ctx.keyKind === "secret") return;
  if (typeof presented !== "string" || presented.length === 0) {
    throw new DomainError("parameter_missing", "A publishable key must pass the PaymentIntent's client_secret.", { param: "client_secret" });
  }
  const pi = await findPaymentIntent(ctx.db, ctx.merchantId, id);
  if (!pi) throw new DomainError("resource_missing", `No such payment_intent: '${id}'`, { param: "intent" });
  if (!clientSecretMatches(pi.clientSecret, presented)) {
    throw new DomainError("parameter_invalid", "The client_secret provided does not match the client_secret associated with the PaymentIntent.", { param: "client_secret" });
  }
}
