/**
 * Deliberately empty. Without a hook of its own, Turbopack takes the repository's
 * instrumentation.ts (the Kafka producer's warm-up) for this app too.
 */
export function register(): void {}
