"use client";

import { useState } from "react";
import { useCurrentUser } from "@/components/providers/current-user";

/** The cookie the API reads the dashboard's project from (lib/auth/authorize.ts). */
const PROJECT_COOKIE = "pulse_project";

/** Opens another project: every page reads and changes that project's data from then on. */
function switchProject(project: string) {
  document.cookie = `${PROJECT_COOKIE}=${encodeURIComponent(project)}; path=/; max-age=31536000; samesite=strict`;
  window.location.reload();
}

/** Who is signed in, with which role, in which project, and the way out. */
export function UserMenu() {
  const user = useCurrentUser();
  const [leaving, setLeaving] = useState(false);
  if (!user) return null;
  const signOut = async () => {
    setLeaving(true);
    await fetch("/api/auth/sign-out", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    window.location.assign("/sign-in");
  };
  return (
    <div className="flex items-center gap-2 text-xs text-slate-600">
      {user.projects.length > 1 ? (
        <label className="flex items-center gap-1">
          <span className="sr-only">Project</span>
          <select
            data-testid="project-switcher"
            value={user.project}
            onChange={(event) => switchProject(event.target.value)}
            className="rounded border border-slate-300 bg-white px-1 py-1"
          >
            {user.projects.map((project) => (
              <option key={project} value={project}>
                {project}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <span data-testid="current-project" className="hidden sm:inline">
          {user.project ?? "no project"}
        </span>
      )}
      <span data-testid="current-user" className="hidden sm:inline">
        {user.email} · {user.role}
      </span>
      <button
        type="button"
        onClick={() => void signOut()}
        disabled={leaving}
        className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50 disabled:opacity-50"
      >
        Sign out
      </button>
    </div>
  );
}
