import { z } from "zod";
import type { PaymentStatus } from "@/db/schema/statuses";

/** What a merchant calls a payment's state, and the internal statuses behind each (pure: the client imports it). */
export const STATUS_GROUPS = {
  succeeded: { label: "Succeeded", statuses: ["captured"] },
  uncaptured: { label: "Uncaptured", statuses: ["authorized"] },
  partially_refunded: { label: "Partially refunded", statuses: ["partially_refunded"] },
  refunded: { label: "Refunded", statuses: ["refunded"] },
  incomplete: { label: "Incomplete", statuses: ["created", "requires_payment_method", "requires_confirmation", "requires_action"] },
  processing: { label: "Processing", statuses: ["authorizing", "capturing", "cancelling"] },
  canceled: { label: "Canceled", statuses: ["cancelled"] },
  failed: { label: "Failed", statuses: ["failed"] },
  disputed: { label: "Disputed", statuses: ["disputed"] },
} as const satisfies Record<string, { label: string; statuses: readonly PaymentStatus[] }>;

export type StatusGroup = keyof typeof STATUS_GROUPS;
export const STATUS_GROUP_KEYS = Object.keys(STATUS_GROUPS) as StatusGroup[];

export function statusGroupOf(status: PaymentStatus): StatusGroup {
  for (const key of STATUS_GROUP_KEYS) if ((STATUS_GROUPS[key].statuses as readonly string[]).includes(status)) return key;
  return "processing";
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");

/** The payments list's filters: the tRPC input and the URL state (components/payments/search-params.ts) agree on it. */
export const paymentListInput = z.object({
  q: z.string().trim().max(200).optional(),
  status: z.enum(STATUS_GROUP_KEYS as [StatusGroup, ...StatusGroup[]]).optional(),
  currency: z.string().regex(/^[a-z]{3}$/).optional(),
  from: day.optional(),
  to: day.optional(),
  /** Keyset cursor: the id of the last row seen (older rows follow) or of the first (newer rows precede). */
  after: z.string().max(64).optional(),
  before: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
export type PaymentListInput = z.input<typeof paymentListInput>;
