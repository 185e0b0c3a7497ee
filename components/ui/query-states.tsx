import type { ReactNode } from "react";
import { EmptyState, type EmptyStateProps } from "./empty-state";
import { ErrorState } from "./error-state";
import { SkeletonRows } from "./skeleton";

interface QueryLike {
  isPending: boolean;
  error: unknown;
  refetch: () => unknown;
}

export interface QueryStatesProps {
  query: QueryLike;
  /** Whether the loaded data has nothing to show. */
  isEmpty: boolean;
  empty: EmptyStateProps;
  errorTitle?: string;
  skeletonRows?: number;
  children: ReactNode;
}

/** The loading, error and empty states every data panel needs, around its content. */
export function QueryStates({
  query,
  isEmpty,
  empty,
  errorTitle,
  skeletonRows = 3,
  children,
}: QueryStatesProps) {
  if (query.isPending) return <SkeletonRows rows={skeletonRows} />;
  if (query.error) {
    return <ErrorState title={errorTitle} error={query.error} onRetry={() => void query.refetch()} />;
  }
  if (isEmpty) return <EmptyState {...empty} />;
  return <>{children}</>;
}
