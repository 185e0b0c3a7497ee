export * from "./aggregations";
export * from "./anomalies";
export * from "./consumer-offsets";
export * from "./raw-events";
export * from "./system-metrics";
