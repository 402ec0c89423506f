import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { PAYMENT_EVENTS, TERMINAL_STATUSES, disputeWonEvent, nextStatus, transition, type PaymentEvent } from "./state-machine";
import { PAYMENT_STATUSES, type PaymentStatus } from "@/db/schema/statuses";
import { toStripeStatus } from "./stripe-status";

// The specification, written independently of the table: every allowed transition and nothing else.
const ALLOWED = `
created --attach_payment_method--> requires_confirmation
created --confirm--> authorizing
created --cancel--> cancelled
requires_payment_method --attach_payment_method--> requires_confirmation
requires_payment_method --confirm--> authorizing
requires_payment_method --cancel--> cancelled
requires_confirmation --attach_payment_method--> requires_confirmation
requires_confirmation --confirm--> authorizing
requires_confirmation --cancel--> cancelled
requires_action --authentication_completed--> authorizing
requires_action --authentication_failed--> requires_payment_method
requires_action --authorization_succeeded--> authorized
requires_action --authorization_captured--> captured
requires_action --authorization_declined--> requires_payment_method
requires_action --authorization_failed--> failed
requires_action --cancel--> cancelling
requires_action --confirm--> authorizing
authorizing --authorization_succeeded--> authorized
authorizing --authorization_captured--> captured
authorizing --authorization_requires_action--> requires_action
authorizing --authorization_declined--> requires_payment_method
authorizing --authorization_failed--> failed
authorized --capture--> capturing
authorized --cancel--> cancelling
authorized --authorization_captured--> captured
capturing --capture_succeeded--> captured
capturing --capture_failed--> authorized
captured --refund_partial--> partially_refunded
captured --refund_full--> refunded
captured --dispute_opened--> disputed
partially_refunded --refund_partial--> partially_refunded
partially_refunded --refund_full--> refunded
partially_refunded --dispute_opened--> disputed
cancelling --cancel_succeeded--> cancelled
cancelling --cancel_failed--> authorized
cancelling --cancel_failed_unauthenticated--> requires_action
disputed --dispute_won--> captured
disputed --dispute_won_after_refund--> partially_refunded
disputed --dispute_lost--> refunded
`
  .trim()
  .split("\n")
  .map((line) => {
    const m = /^(\w+) --(\w+)--> (\w+)$/.exec(line.trim());
    if (!m) throw new Error(`bad spec line ${line}`);
    return { from: m[1] as PaymentStatus, event: m[2] as PaymentEvent, to: m[3] as PaymentStatus };
  });

const allowedKey = new Map(ALLOWED.map((t) => [`${t.from}:${t.event}`, t.to]));

describe("payment state machine", () => {
  for (const from of PAYMENT_STATUSES) {
    for (const event of PAYMENT_EVENTS) {
      const expected = allowedKey.get(`${from}:${event}`);
      if (expected) {
        it(`allows ${from} --${event}--> ${expected}`, () => {
          expect(transition(from, event)).toBe(expected);
        });
      } else {
        it(`rejects ${event} from ${from}`, () => {
          expect(nextStatus(from, event)).toBeUndefined();
          let caught: unknown;
          try {
            transition(from, event, "pi_123");
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(DomainError);
          expect((caught as DomainError).code).toBe("payment_intent_unexpected_state");
          expect((caught as DomainError).message).toContain("pi_123");
          expect((caught as DomainError).message).toContain(from);
        });
      }
    }
  }

  it("terminal statuses allow nothing", () => {
    for (const s of TERMINAL_STATUSES) {
      expect(PAYMENT_EVENTS.filter((e) => nextStatus(s, e) !== undefined)).toEqual([]);
    }
  });

  it("walks the manual-capture lifecycle", () => {
    let s: PaymentStatus = "created";
    for (const e of ["attach_payment_method", "confirm", "authorization_succeeded", "capture", "capture_succeeded", "refund_partial", "refund_full"] as const) {
      s = transition(s, e);
    }
    expect(s).toBe("refunded");
  });

  it("maps every internal status to a Stripe status", () => {
    const mapped = Object.fromEntries(PAYMENT_STATUSES.map((s) => [s, toStripeStatus(s)]));
    expect(mapped).toEqual({
      created: "requires_payment_method",
      requires_payment_method: "requires_payment_method",
      requires_confirmation: "requires_confirmation",
      requires_action: "requires_action",
      authorizing: "processing",
      authorized: "requires_capture",
      capturing: "processing",
      captured: "succeeded",
      partially_refunded: "succeeded",
      refunded: "succeeded",
      cancelling: "processing",
      cancelled: "canceled",
      failed: "canceled",
      disputed: "succeeded",
    });
  });

  it("a won dispute returns a partially refunded payment to partially_refunded, an unrefunded one to captured", () => {
    const partial = transition(transition("partially_refunded", "dispute_opened"), disputeWonEvent(300n));
    expect(partial).toBe("partially_refunded");
    expect(transition(transition("captured", "dispute_opened"), disputeWonEvent(0n))).toBe("captured");
    expect(transition("disputed", "dispute_lost")).toBe("refunded");
  });
});
