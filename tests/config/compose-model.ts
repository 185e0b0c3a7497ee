import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

/**
 * docker-compose files read as Compose does for the parts tests look at: YAML merge keys
 * resolved, then later files merged over earlier ones (mappings key by key, a service's
 * volumes by their container path, ports and secrets appended, anything else replaced).
 */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  ports?: string[];
  volumes?: string[];
  secrets?: (string | { source: string; target?: string })[];
}

export interface ComposeModel {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  [key: string]: unknown;
}

export const ROOT = path.resolve(import.meta.dirname, "../..");

export function readComposeFile(file: string): ComposeModel {
  return parse(readFileSync(path.join(ROOT, file), "utf8"), { merge: true }) as ComposeModel;
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const volumeTarget = (volume: string) => volume.split(":")[1] ?? volume;

function mergeValue(key: string, base: unknown, override: unknown): unknown {
  if (isMapping(base) && isMapping(override)) return mergeMappings(base, override);
  if (Array.isArray(base) && Array.isArray(override)) {
    if (key === "volumes") {
      const byTarget = new Map((base as string[]).map((v) => [volumeTarget(v), v]));
      for (const volume of override as string[]) byTarget.set(volumeTarget(volume), volume);
      return [...byTarget.values()];
    }
    if (key === "ports" || key === "secrets") return [...(base as unknown[]), ...(override as unknown[])];
  }
  return override;
}

function mergeMappings(base: Record<string, unknown>, override: Record<string, unknown>) {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = key in base ? mergeValue(key, base[key], value) : value;
  }
  return merged;
}

/** The model `docker compose -f <first> -f <second> ...` runs. */
export function composeModel(...files: string[]): ComposeModel {
  return files
    .map(readComposeFile)
    .reduce((merged, next) => mergeMappings(merged, next) as unknown as ComposeModel);
}

/** Services started without naming a profile. */
export function activeServices(model: ComposeModel): [string, ComposeService][] {
  return Object.entries(model.services).filter(([, service]) => (service.profiles ?? []).length === 0);
}
