import { createCallerFactory, router } from "./init";
import { paymentsRouter } from "./routers/payments";

export const appRouter = router({ payments: paymentsRouter });
export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
