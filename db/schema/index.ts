export * from "./merchants";
export * from "./payments";
export * from "./events";
export * from "./idempotency";
export * from "./ledger";
export * from "./exceptions";
export * from "./charges";
export * from "./reconciliation";
