import { z } from "zod";
import { bool, metadata } from "../payments/schemas";
import { EVIDENCE_FIELDS } from "./evidence";

/** Stripe limits the combined evidence text to 150,000 characters. */
const MAX_EVIDENCE_CHARS = 150_000;

const evidence = z
  .strictObject(Object.fromEntries(EVIDENCE_FIELDS.map((f) => [f, z.string().max(20_000).optional()])) as Record<(typeof EVIDENCE_FIELDS)[number], z.ZodOptional<z.ZodString>>)
  .refine((e) => Object.values(e).reduce((n, v) => n + (v?.length ?? 0), 0) <= MAX_EVIDENCE_CHARS, `the combined evidence text may be at most ${MAX_EVIDENCE_CHARS} characters`);

/** POST /v1/disputes/:id. `submit` defaults to true when evidence is given, as at Stripe. */
export const updateDisputeInput = z.object({
  evidence: evidence.optional(),
  metadata: metadata.optional(),
  submit: bool.optional(),
});
export type UpdateDisputeInput = z.infer<typeof updateDisputeInput>;

export const closeDisputeInput = z.object({});
