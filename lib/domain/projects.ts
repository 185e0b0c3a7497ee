/**
 * Projects: every event, aggregate, anomaly, detector series, alert rule and live counter
 * belongs to one (docs/security.md, "Projects"). The ingest key decides an event's project;
 * a signed-in user or an API token reads and changes one project per request.
 */

/** The project a fresh install has, and that rows written before projects existed belong to. */
export const DEFAULT_PROJECT_ID = "default";

/** What a project id may be: it travels in Kafka headers, Redis keys and URLs unescaped. */
export const PROJECT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
