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

  it("gives answers the schemas their bodies are type-checked against", () => {
    const json = (path: string, method: string, status: string) =>
      (
        doc.paths[path]?.[method] as {
          responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
        }
      ).responses[status]?.content?.["application/json"]?.schema;
    expect(json("/api/alerts/rules/{id}", "get", "200")).toMatchObject({
      properties: { rule: { $ref: "#/components/schemas/Rule" } },
    });
    expect(json("/api/events", "get", "200")).toMatchObject({
      properties: { data: { items: { $ref: "#/components/schemas/StoredEvent" } } },
    });
    const rule = (doc.components.schemas as unknown as Record<string, { properties: object }>).Rule;
    expect(Object.keys(rule?.properties ?? {})).toEqual(
      expect.arrayContaining(["id", "condition", "channels", "state", "open_incident"]),
    );
  });

  it("documents each kind of bad input with its own code", () => {
    const described = (path: string, method: string, status: string) =>
      (doc.paths[path]?.[method] as { responses: Record<string, { description: string }> }).responses[status]
        ?.description;
    expect(described("/api/events", "get", "400")).toBe("invalid_query");
    expect(described("/api/alerts/rules", "post", "400")).toBe("invalid_json, validation_failed");
    expect(described("/api/alerts/rules/{id}", "patch", "404")).toBe("not_found");
  });

  it("documents every list as a page with a cursor", () => {
    for (const path of ["/api/anomalies", "/api/alerts/incidents", "/api/alerts/deliveries"]) {
      expect(doc.paths[path]?.get?.parameters?.map((p) => p.name)).toEqual(
        expect.arrayContaining(["cursor", "limit"]),
      );
    }
  });
});
