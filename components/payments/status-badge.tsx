import { Badge } from "@/components/ui/badge";
import { STATUS_GROUPS, type StatusGroup } from "@/server/dashboard/payment-filters";

const TONE: Record<StatusGroup, "success" | "warning" | "danger" | "info" | "neutral"> = {
  succeeded: "success",
  uncaptured: "info",
  partially_refunded: "warning",
  refunded: "neutral",
  incomplete: "neutral",
  processing: "info",
  canceled: "neutral",
  failed: "danger",
  disputed: "danger",
};

export function StatusBadge({ group }: { group: string }) {
  const g = (group in STATUS_GROUPS ? group : "processing") as StatusGroup;
  return <Badge tone={TONE[g]}>{STATUS_GROUPS[g].label}</Badge>;
}
