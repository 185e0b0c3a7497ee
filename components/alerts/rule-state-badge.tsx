import { Badge, type BadgeTone } from "@/components/ui";
import type { RuleState } from "@/lib/alerts/constants";

const tones: Record<RuleState, BadgeTone> = {
  ok: "success",
  firing: "critical",
  muted: "neutral",
  disabled: "neutral",
};

export function RuleStateBadge({ state }: { state: RuleState }) {
  return (
    <Badge tone={tones[state]} dot>
      {state}
    </Badge>
  );
}
