import { projectOf } from "@/lib/auth/principal";
import { checkRuleInput } from "@/lib/alerts/validate-rule";
import { getEnv } from "@/lib/env";
import * as alerts from "@/lib/http/contracts/alerts";
import { defineRoute } from "@/lib/http/define-route";
import { previewRule } from "@/lib/services/alerts/preview-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Replays a draft rule (the create/edit form's content, validated like a create) over the last 24 hours. */
export const POST = defineRoute(alerts.previewDraftRule, async ({ body, principal }) => {
  const input = await checkRuleInput(body, {
    // The draft is not saved and nothing is sent: its webhook host does not matter here.
    allowPrivateWebhooks: true,
    windowSizes: getEnv().WINDOW_SIZES_SECONDS,
  });
  const preview = await previewRule({
    projectId: projectOf(principal),
    eventType: input.event_type,
    region: input.region,
    metric: input.metric,
    windowSeconds: input.window_seconds,
    condition: input.condition,
    forWindows: input.for_windows,
  });
  return { preview };
});
