export { runReconciliation, type ReconciliationContext, type ReconciliationPeriod, type ReconciliationReport } from "./run";
export { decideBatch, decideLine, feeAdjustmentJournal, type Decision, type Ours } from "./rules";
