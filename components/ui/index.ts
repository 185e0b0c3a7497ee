/**
 * The dashboard's small component kit. Import from "@/components/ui".
 * Primitives only: no data fetching, no server imports.
 */
export { Badge, HealthBadge, SeverityBadge, severityTone } from "./badge";
export type { BadgeTone, HealthStatus, Severity } from "./badge";
export { Button, ButtonLink, buttonClasses } from "./button";
export type { ButtonProps, ButtonSize, ButtonVariant } from "./button";
export { Card } from "./card";
export { cn } from "./cn";
export { Dialog } from "./dialog";
export { EmptyState } from "./empty-state";
export { ErrorState } from "./error-state";
export { QueryStates } from "./query-states";
export { Field } from "./field";
export { Input, Textarea } from "./input";
export { PageHeader } from "./page-header";
export { Segmented } from "./segmented";
export { Select } from "./select";
export type { SelectOption } from "./select";
export { Skeleton, SkeletonRows } from "./skeleton";
export { Stat } from "./stat";
export { Table, TBody, TD, TH, THead, TR } from "./table";
export { ApiError, fetchJson } from "./fetch-json";
export { useNow } from "./use-now";
export { TagInput } from "./tag-input";
