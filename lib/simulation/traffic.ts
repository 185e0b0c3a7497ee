import type { EventInput } from "../events/schema";

/**
 * Realistic synthetic traffic: skewed event types and regions, a user population where a
 * few users are very active (Zipf-like), sessions, and values with a long tail. Seeded, so
 * a benchmark or test can replay the same stream.
 */
export interface TrafficOptions {
  types?: string[];
  regions?: string[];
  users?: number;
  seed?: number;
}

const DEFAULT_TYPES: [string, number][] = [
  ["page_view", 0.6],
  ["click", 0.25],
  ["purchase", 0.05],
  ["signup", 0.03],
  ["error", 0.02],
  ["search", 0.05],
];
const DEFAULT_REGIONS: [string, number][] = [
  ["us-east", 0.35],
  ["eu-west", 0.25],
  ["us-west", 0.15],
  ["ap-south", 0.1],
  ["ap-northeast", 0.1],
  ["sa-east", 0.05],
];
const PAGES = ["/", "/pricing", "/docs", "/blog", "/signup", "/checkout", "/settings", "/search"];

/** mulberry32: small, fast, good enough for traffic shapes. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted(names: string[] | undefined, defaults: [string, number][]): [string, number][] {
  if (!names || names.length === 0) return defaults;
  // Given names get a geometric skew: the first is the most common.
  const weights = names.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return names.map((name, i) => [name, (weights[i] ?? 0) / total]);
}

function pick(table: [string, number][], random: () => number): string {
  let roll = random();
  for (const [name, weight] of table) {
    roll -= weight;
    if (roll <= 0) return name;
  }
  return table[table.length - 1]?.[0] ?? "other";
}

export interface TrafficGenerator {
  next(timestamp?: number): EventInput;
  batch(size: number, timestamp?: number): EventInput[];
}

export function createTraffic(options: TrafficOptions = {}): TrafficGenerator {
  const random = createRandom(options.seed ?? 42);
  const types = weighted(options.types, DEFAULT_TYPES);
  const regions = weighted(options.regions, DEFAULT_REGIONS);
  const users = options.users ?? 10_000;
  const normal = () => Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());

  const next = (timestamp?: number): EventInput => {
    const eventType = pick(types, random);
    // Zipf-like: user k is chosen with probability ~ 1/k
    const user = Math.floor(Math.pow(users, random()));
    const event: EventInput = {
      event_type: eventType,
      user_id: `user-${user}`,
      session_id: `s-${user}-${Math.floor(random() * 3)}`,
      region: pick(regions, random),
      properties: { page: PAGES[Math.floor(random() * PAGES.length)] ?? "/", app_version: "3.2.1" },
    };
    if (timestamp !== undefined) event.timestamp = timestamp;
    if (eventType === "purchase") event.value = Math.round(Math.exp(3.5 + 0.8 * normal()) * 100) / 100;
    else if (eventType === "page_view")
      event.value = Math.max(20, Math.round(Math.exp(5.5 + 0.5 * normal())));
    return event;
  };
  return {
    next,
    batch: (size, timestamp) => Array.from({ length: size }, () => next(timestamp)),
  };
}
