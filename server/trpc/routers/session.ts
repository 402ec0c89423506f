import { ACCESS, can, PAGES, type ProcedurePath } from "../../auth/access";
import { env } from "../../env";
import { merchantProcedure, router } from "../init";

/** Who is signed in, where, and what they may use (the client hides what the server would refuse anyway). */
export const sessionRouter = router({
  me: merchantProcedure.query(({ ctx }) => {
    const { member } = ctx;
    return {
      email: member.email,
      role: member.role,
      platformAdmin: member.platformAdmin,
      merchantId: member.merchantId,
      merchantName: member.merchantName,
      pages: PAGES.filter((p) => can(member.role, p.procedure)).map(({ href, label }) => ({ href, label })),
      allowed: Object.fromEntries(Object.keys(ACCESS).map((p) => [p, can(member.role, p as ProcedurePath)])) as Record<ProcedurePath, boolean>,
      refundReauthAbove: env().REFUND_REAUTH_ABOVE ?? "100",
    };
  }),
});
