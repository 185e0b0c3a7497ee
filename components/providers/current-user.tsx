"use client";

import { createContext, useContext, type ReactNode } from "react";

export interface CurrentUser {
  email: string;
  role: "admin" | "member" | "viewer";
  /** The project the dashboard shows (every read and change is this project's). */
  project: string | undefined;
  /** The projects the user may switch to. */
  projects: string[];
}

const CurrentUserContext = createContext<CurrentUser | null>(null);

/** The signed-in user, read once by the layout on the server. */
export function CurrentUserProvider({ user, children }: { user: CurrentUser; children: ReactNode }) {
  return <CurrentUserContext.Provider value={user}>{children}</CurrentUserContext.Provider>;
}

export function useCurrentUser(): CurrentUser | null {
  return useContext(CurrentUserContext);
}

/** Members and admins change rules and acknowledge; viewers only read. The API enforces it too. */
export function useCanEdit(): boolean {
  const user = useCurrentUser();
  return user !== null && user.role !== "viewer";
}
