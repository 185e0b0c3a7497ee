import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./document";

describe("OpenAPI document", () => {
  const doc = buildOpenApiDocument() as {
    openapi: string;
    paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    components: {
      schemas: {
        Event: { properties: Record<string, unknown>; required: string[]; additionalProperties: unknown };
      };
    };
  };

  it("describes the event from the same schema the API validates with", () => {
    expect(doc.openapi).toBe("3.1.0");
    const event = doc.components.schemas.Event;
    expect(Object.keys(event.properties).sort()).toEqual(
      [
        "event_id",
        "event_type",
        "properties",
        "region",
        "session_id",
        "timestamp",
        "user_id",
        "value",
      ].sort(),
    );
    expect(event.required).toEqual(["event_type"]);
    expect(event.additionalProperties).toBe(false);
  });

  it("lists the query parameters of the read endpoints", () => {
    const names = doc.paths["/api/events"]?.get?.parameters?.map((p) => p.name) ?? [];
    expect(names).toEqual(
      expect.arrayContaining(["event_type", "region", "user_id", "from", "to", "cursor", "limit"]),
    );
    expect(doc.paths["/api/aggregations"]?.get?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(["event_type", "region", "window"]),
    );
  });

  it("documents every list as a page with a cursor", () => {
    for (const path of ["/api/anomalies", "/api/alerts/incidents", "/api/alerts/deliveries"]) {
      expect(doc.paths[path]?.get?.parameters?.map((p) => p.name)).toEqual(
        expect.arrayContaining(["cursor", "limit"]),
      );
    }
  });
});
