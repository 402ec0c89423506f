import { createCallerFactory, router } from "./init";
import { ledgerRouter } from "./routers/ledger";
import { paymentsRouter } from "./routers/payments";
import { sessionRouter } from "./routers/session";

export const appRouter = router({ session: sessionRouter, payments: paymentsRouter, ledger: ledgerRouter });
export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
