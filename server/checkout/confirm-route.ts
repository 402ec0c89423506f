import { DomainError } from "../errors";
import { getDatabase } from "../db";
import { readBodyText } from "../http/body";
import { parseInput } from "../http/rest";
import { logger } from "../logger";
import { safeErrorLog } from "../log-safe";
import type { PaymentsContext } from "../payments/context";
import { getPsp } from "../psp";
import { type HostedTarget, payHosted } from "./hosted";
import { payCheckoutInput } from "./schemas";

const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

/** The hosted page's pay call: a payment method id in, where to go next out. Logs never see the body. */
export async function confirmHosted(request: Request, load: (ctx: PaymentsContext) => Promise<HostedTarget | null>): Promise<Response> {
  const ctx = { db: getDatabase().db, psp: getPsp() };
  try {
    const target = await load(ctx);
    if (!target) return json({ error: { message: "No such checkout." } }, 404);
    let params: unknown;
    try {
      params = JSON.parse(await readBodyText(request));
    } catch {
      return json({ error: { message: "The request body is not valid JSON." } }, 400);
    }
    const input = parseInput(payCheckoutInput, params);
    return json(await payHosted(ctx, target, input));
  } catch (e) {
    if (e instanceof DomainError && e.httpStatus < 500) return json({ error: { message: e.message } }, e.httpStatus);
    logger.error({ err: safeErrorLog(e) }, "hosted checkout confirm failed");
    return json({ outcome: "declined", message: "Something went wrong on our side. You have not been charged; please try again." });
  }
}
