import { readJsonBody } from "@/lib/alerts/request";
import { validateRuleInput } from "@/lib/alerts/validate-rule";
import { getEnv } from "@/lib/env";
import { jsonResponse, withRoute } from "@/lib/http/route";
import { previewRule } from "@/lib/services/alerts/preview-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Replays a draft rule (the create/edit form's content, validated like a create) over the last 24 hours. */
export const POST = withRoute("alerts.rules.preview-draft", async (request) => {
  const env = getEnv();
  const input = await validateRuleInput(await readJsonBody(request), {
    // The draft is not saved and nothing is sent: its webhook host does not matter here.
    allowPrivateWebhooks: true,
    windowSizes: env.WINDOW_SIZES_SECONDS,
  });
  const preview = await previewRule({
    eventType: input.event_type,
    region: input.region,
    metric: input.metric,
    windowSeconds: input.window_seconds,
    condition: input.condition,
    forWindows: input.for_windows,
  });
  return jsonResponse({ preview });
});
