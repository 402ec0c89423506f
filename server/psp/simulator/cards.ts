/** Stripe test cards, test PaymentMethod ids and the outcome each one produces. */

export type CardBrand = "visa" | "mastercard" | "amex" | "discover" | "unknown";

export interface Decline {
  code: string;
  declineCode: string;
  message: string;
}

export type CardBehaviour =
  | { kind: "success" }
  | { kind: "decline"; decline: Decline }
  | { kind: "three_ds" }
  | { kind: "dispute" };

export interface TestCard {
  number: string;
  testPm: string;
  brand: CardBrand;
  funding: "credit" | "debit";
  behaviour: CardBehaviour;
}

const DECLINE_MESSAGES: Record<string, string> = {
  generic_decline: "Your card was declined.",
  insufficient_funds: "Your card has insufficient funds.",
  fraudulent: "Your card was declined.",
  lost_card: "Your card was declined.",
  stolen_card: "Your card was declined.",
  expired_card: "Your card has expired.",
  incorrect_cvc: "Your card's security code is incorrect.",
  processing_error: "An error occurred while processing your card. Try again in a little bit.",
  do_not_honor: "Your card was declined.",
};

/** Build a decline; `code` is the Stripe error code, `declineCode` the issuer reason. */
export function makeDecline(code: string, declineCode?: string, message?: string): Decline {
  const dc = declineCode ?? (code === "card_declined" ? "generic_decline" : code);
  return { code, declineCode: dc, message: message ?? DECLINE_MESSAGES[dc] ?? DECLINE_MESSAGES[code] ?? "Your card was declined." };
}

const ok: CardBehaviour = { kind: "success" };
const decline = (code: string, declineCode?: string): CardBehaviour => ({ kind: "decline", decline: makeDecline(code, declineCode) });

const TEST_CARDS: TestCard[] = [
  { number: "4242424242424242", testPm: "pm_card_visa", brand: "visa", funding: "credit", behaviour: ok },
  { number: "5555555555554444", testPm: "pm_card_mastercard", brand: "mastercard", funding: "credit", behaviour: ok },
  { number: "378282246310005", testPm: "pm_card_amex", brand: "amex", funding: "credit", behaviour: ok },
  { number: "4000056655665556", testPm: "pm_card_visa_debit", brand: "visa", funding: "debit", behaviour: ok },
  { number: "4000000000000002", testPm: "pm_card_chargeDeclined", brand: "visa", funding: "credit", behaviour: decline("card_declined", "generic_decline") },
  { number: "4000000000009995", testPm: "pm_card_chargeDeclinedInsufficientFunds", brand: "visa", funding: "credit", behaviour: decline("card_declined", "insufficient_funds") },
  { number: "4100000000000019", testPm: "pm_card_chargeDeclinedFraudulent", brand: "visa", funding: "credit", behaviour: decline("card_declined", "fraudulent") },
  { number: "4000000000000069", testPm: "pm_card_chargeDeclinedExpiredCard", brand: "visa", funding: "credit", behaviour: decline("expired_card") },
  { number: "4000000000000127", testPm: "pm_card_chargeDeclinedIncorrectCvc", brand: "visa", funding: "credit", behaviour: decline("incorrect_cvc") },
  { number: "4000000000000119", testPm: "pm_card_chargeDeclinedProcessingError", brand: "visa", funding: "credit", behaviour: decline("processing_error") },
  { number: "4000000000009987", testPm: "pm_card_chargeDeclinedLostCard", brand: "visa", funding: "credit", behaviour: decline("card_declined", "lost_card") },
  { number: "4000000000009979", testPm: "pm_card_chargeDeclinedStolenCard", brand: "visa", funding: "credit", behaviour: decline("card_declined", "stolen_card") },
  { number: "4000002760003184", testPm: "pm_card_authenticationRequired", brand: "visa", funding: "credit", behaviour: { kind: "three_ds" } },
  { number: "4000000000003220", testPm: "pm_card_threeDSecure2Required", brand: "visa", funding: "credit", behaviour: { kind: "three_ds" } },
  { number: "4000002500003155", testPm: "pm_card_authenticationRequiredSetupForOffSession", brand: "visa", funding: "credit", behaviour: { kind: "three_ds" } },
  { number: "4000000000000259", testPm: "pm_card_createDispute", brand: "visa", funding: "credit", behaviour: { kind: "dispute" } },
];

const BY_NUMBER = new Map(TEST_CARDS.map((c) => [c.number, c]));
const BY_TEST_PM = new Map(TEST_CARDS.map((c) => [c.testPm, c]));

export function testCardByPm(id: string): TestCard | undefined {
  return BY_TEST_PM.get(id);
}

export function testCardByNumber(number: string): TestCard | undefined {
  return BY_NUMBER.get(number);
}

export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let d = number.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function brandOf(number: string): CardBrand {
  if (number.startsWith("4")) return "visa";
  if (/^(5[1-5]|2[2-7])/.test(number)) return "mastercard";
  if (/^3[47]/.test(number)) return "amex";
  if (/^(6011|65|64[4-9])/.test(number)) return "discover";
  return "unknown";
}

export function listTestCards(): readonly TestCard[] {
  return TEST_CARDS;
}
