import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The API request being served, visible to code deep in a service (events record it as Stripe's
 * event.request) without threading it through every call. Absent for jobs and recovery, whose
 * events are "automatic" (request null), as in Stripe.
 */
export interface RequestInfo {
  requestId: string;
  /** The client's Idempotency-Key header, when it sent one. */
  idempotencyKey: string | null;
}

const storage = new AsyncLocalStorage<RequestInfo>();

export const runInRequest = <T>(info: RequestInfo, fn: () => T): T => storage.run(info, fn);
export const currentRequest = (): RequestInfo | undefined => storage.getStore();
