"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import {
  Button,
  Card,
  Dialog,
  ErrorState,
  QueryStates,
  SkeletonRows,
  TBody,
  TD,
  TH,
  THead,
  TR,
  Table,
} from "@/components/ui";
import { useCanEdit } from "@/components/providers/current-user";
import { formatDayTime } from "@/components/ui/format";
import type { RuleDto } from "@/lib/alerts/dto";
import { alertKeys, alertsApi } from "./api";
import { describeCondition, describeScope } from "./describe-rule";
import { PreviewPanel } from "./preview-panel";
import { RuleForm } from "./rule-form";
import { RuleStateBadge } from "./rule-state-badge";

const HOUR = 3_600_000;

type Editing = { mode: "new" } | { mode: "edit"; rule: RuleDto } | undefined;

/** The rule list with state, and every action on a rule. */
export function RulesCard({
  windowSizes,
  highlight,
}: {
  windowSizes: readonly number[];
  highlight?: string;
}) {
  const canEdit = useCanEdit();
  const client = useQueryClient();
  const [editing, setEditing] = useState<Editing>();
  const [previewing, setPreviewing] = useState<RuleDto | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const rules = useQuery({
    queryKey: alertKeys.rules,
    queryFn: alertsApi.listRules,
    refetchInterval: 10_000,
  });
  const invalidate = () => client.invalidateQueries({ queryKey: alertKeys.all });

  const patch = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Record<string, unknown> }) =>
      alertsApi.updateRule(id, body),
    onSuccess: invalidate,
    onError: (error) => setMessage(error.message),
  });
  const remove = useMutation({
    mutationFn: (id: string) => alertsApi.deleteRule(id),
    onSuccess: invalidate,
    onError: (error) => setMessage(error.message),
  });
  const test = useMutation({
    mutationFn: (rule: RuleDto) => alertsApi.testRule(rule.id),
    onSuccess: (result, rule) => {
      setMessage(
        result.delivery
          ? `Test notification for "${rule.name}" queued; see the delivery log.`
          : `Test notification for "${rule.name}" sent in-app.`,
      );
      void invalidate();
    },
    onError: (error) => setMessage(error.message),
  });

  const list = rules.data?.data ?? [];
  return (
    <Card
      title="Rules"
      description="Each rule watches one series and fires once per incident"
      actions={
        canEdit && (
          <Button variant="primary" size="sm" onClick={() => setEditing({ mode: "new" })}>
            New rule
          </Button>
        )
      }
    >
      {message && (
        <p role="status" className="mb-3 flex justify-between gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm">
          <span>{message}</span>
          <button
            type="button"
            className="text-slate-500 hover:text-slate-900"
            onClick={() => setMessage(undefined)}
          >
            Dismiss
          </button>
        </p>
      )}
      <QueryStates
        query={rules}
        isEmpty={list.length === 0}
        skeletonRows={4}
        errorTitle="Could not load rules"
        empty={{
          title: "No alert rules yet",
          description: "A rule watches one series and notifies you in-app or by webhook.",
          action: canEdit && (
            <Button size="sm" variant="primary" onClick={() => setEditing({ mode: "new" })}>
              New rule
            </Button>
          ),
        }}
      >
        <Table caption="Alert rules">
          <THead>
            <tr>
              <TH>Rule</TH>
              <TH>Condition</TH>
              <TH>State</TH>
              <TH>Channels</TH>
              <TH className="text-right">Actions</TH>
            </tr>
          </THead>
          <TBody>
            {list.map((rule) => {
              const muted = rule.state === "muted";
              return (
                <TR
                  key={rule.id}
                  selected={rule.id === highlight}
                  data-testid="rule-row"
                  data-rule-id={rule.id}
                >
                  <TD>
                    <div className="font-medium text-slate-900">{rule.name}</div>
                    <div className="text-xs text-slate-500">{describeScope(rule)}</div>
                  </TD>
                  <TD>
                    <div>{describeCondition(rule)}</div>
                    <div className="text-xs text-slate-500">severity {rule.severity}</div>
                  </TD>
                  <TD>
                    <RuleStateBadge state={rule.state} />
                    {rule.open_incident && (
                      <div className="mt-1 text-xs text-slate-500">
                        since {formatDayTime(rule.open_incident.fired_at)}
                      </div>
                    )}
                    {muted && rule.muted_until && (
                      <div className="mt-1 text-xs text-slate-500">
                        until {formatDayTime(rule.muted_until)}
                      </div>
                    )}
                  </TD>
                  <TD className="text-xs">
                    {rule.channels.in_app && <div>in-app</div>}
                    {rule.channels.webhook && (
                      <div className="max-w-56 truncate" title={rule.channels.webhook.url}>
                        webhook {rule.channels.webhook.has_secret ? "(signed)" : ""}
                      </div>
                    )}
                  </TD>
                  <TD>
                    <div className="flex flex-wrap justify-end gap-1">
                      <Button size="sm" variant="ghost" onClick={() => setEditing({ mode: "edit", rule })}>
                        {canEdit ? "Edit" : "View"}
                      </Button>
                      {canEdit && (
                        <>
                          <Button
                            size="sm"
                            variant="ghost"
                            onClick={() =>
                              patch.mutate({
                                id: rule.id,
                                body: {
                                  muted_until: muted ? null : new Date(Date.now() + HOUR).toISOString(),
                                },
                              })
                            }
                          >
                            {muted ? "Unmute" : "Mute 1 h"}
                          </Button>
                          <Button
                            size="sm"
                            variant="ghost"
                            onClick={() => patch.mutate({ id: rule.id, body: { enabled: !rule.enabled } })}
                          >
                            {rule.enabled ? "Disable" : "Enable"}
                          </Button>
                          <Button size="sm" variant="ghost" onClick={() => test.mutate(rule)}>
                            Test
                          </Button>
                        </>
                      )}
                      <Button size="sm" variant="ghost" onClick={() => setPreviewing(rule)}>
                        Preview
                      </Button>
                      {canEdit && (
                        <Button
                          size="sm"
                          variant="ghost"
                          className="text-red-700"
                          onClick={() => {
                            if (
                              window.confirm(
                                `Delete the rule "${rule.name}" with its incidents and deliveries?`,
                              )
                            ) {
                              remove.mutate(rule.id);
                            }
                          }}
                        >
                          Delete
                        </Button>
                      )}
                    </div>
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      </QueryStates>
      <Dialog
        open={editing !== undefined}
        onClose={() => setEditing(undefined)}
        variant="side"
        title={editing?.mode === "edit" ? `Edit ${editing.rule.name}` : "New alert rule"}
      >
        {editing && (
          <RuleForm
            key={editing.mode === "edit" ? editing.rule.id : "new"}
            rule={editing.mode === "edit" ? editing.rule : undefined}
            windowSizes={windowSizes}
            onCancel={() => setEditing(undefined)}
            onDone={(saved) => {
              setEditing(undefined);
              setMessage(`Saved "${saved.name}".`);
            }}
          />
        )}
      </Dialog>
      <Dialog
        open={previewing !== undefined}
        onClose={() => setPreviewing(undefined)}
        variant="side"
        title={previewing ? `Preview: ${previewing.name}` : "Preview"}
      >
        {previewing && <StoredRulePreview rule={previewing} />}
      </Dialog>
    </Card>
  );
}

function StoredRulePreview({ rule }: { rule: RuleDto }) {
  const preview = useQuery({
    queryKey: alertKeys.preview(rule.id),
    queryFn: () => alertsApi.previewRule(rule.id),
  });
  if (preview.isPending) return <SkeletonRows rows={4} />;
  if (preview.error) return <ErrorState error={preview.error} onRetry={() => void preview.refetch()} />;
  return <PreviewPanel preview={preview.data.preview} />;
}
