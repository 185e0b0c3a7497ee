import type { AnomalyDto, IncidentDto } from "./dto";

/** Live-channel message for a new anomaly (relayed to the dashboard as SSE event "anomaly"). */
export interface LiveAnomalyMessage {
  kind: "anomaly";
  anomaly: AnomalyDto;
}

/** Live-channel message for an incident that fired, was acknowledged or resolved (SSE event "alert"). */
export interface LiveAlertMessage {
  kind: "alert";
  event: "fired" | "acknowledged" | "resolved" | "test";
  incident: IncidentDto;
}
