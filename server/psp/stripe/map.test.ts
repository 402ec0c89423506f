import { describe, expect, it } from "vitest";
import { mapIntentStatus } from "./map";

describe("Stripe status mapping", () => {
  it("maps every known PaymentIntent status", () => {
    expect(
      ["requires_payment_method", "requires_confirmation", "requires_action", "processing", "requires_capture", "succeeded", "canceled"].map(mapIntentStatus),
    ).toEqual(["requires_payment_method", "requires_confirmation", "requires_action", "processing", "authorized", "captured", "cancelled"]);
  });

  it("treats an unknown status as still in flight, never as success", () => {
    for (const s of ["requires_source", "partially_funded", "", "SUCCEEDED"]) {
      expect(mapIntentStatus(s)).toBe("processing");
    }
  });
});
