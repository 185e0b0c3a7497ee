import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineContract } from "./contract";
import { defineRoute } from "./define-route";

const thing = z.object({ id: z.number(), name: z.string() });

const getThing = defineContract({
  name: "test.things.get",
  access: "public",
  method: "GET",
  path: "/api/things/{id}",
  summary: "a thing",
  params: z.strictObject({ id: z.coerce.number().int().positive() }),
  resource: "thing",
  query: z.strictObject({ verbose: z.enum(["true", "false"]).default("false") }),
  response: { status: 200, description: "the thing", schema: thing },
});

const createThing = defineContract({
  name: "test.things.create",
  access: "public",
  method: "POST",
  path: "/api/things",
  summary: "create a thing",
  body: z.strictObject({ name: z.string().min(1) }),
  maxBodyBytes: 64,
  response: { status: 201, description: "the new thing", schema: thing },
});

const deleteThing = defineContract({
  name: "test.things.delete",
  access: "public",
  method: "DELETE",
  path: "/api/things/{id}",
  summary: "delete a thing",
  response: { status: 204, description: "deleted" },
});

const get = defineRoute(getThing, async ({ params, query }) => ({
  id: params.id,
  name: query.verbose === "true" ? "a thing, verbosely" : "a thing",
}));
const create = defineRoute(createThing, async ({ body }) => ({ id: 1, name: body.name }));

const segment = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (body: string) =>
  create(new Request("http://localhost/api/things", { method: "POST", body }), segment(""));

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string; details?: unknown[] } }).error;
}

describe("defineRoute", () => {
  it("hands the handler parsed params and query, and sends its answer with the contract's status", async () => {
    const response = await get(new Request("http://localhost/api/things/7?verbose=true"), segment("7"));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-request-id")).toEqual(expect.any(String));
    expect(await response.json()).toEqual({ id: 7, name: "a thing, verbosely" });

    const created = await post(JSON.stringify({ name: "new" }));
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ id: 1, name: "new" });
  });

  it("answers 404 not_found for a path parameter that names nothing", async () => {
    const response = await get(new Request("http://localhost/api/things/x"), segment("not-a-number"));
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatchObject({ code: "not_found", message: "No such thing" });
  });

  it("answers 400 invalid_query naming each bad parameter, unknown ones included", async () => {
    const response = await get(
      new Request("http://localhost/api/things/7?verbose=yes&colour=red"),
      segment("7"),
    );
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe("invalid_query");
    expect(error.details).toEqual([
      expect.objectContaining({ path: "verbose" }),
      expect.objectContaining({ path: "(query)", message: expect.stringContaining("colour") }),
    ]);
  });

  it.each([
    { name: "malformed JSON", body: "{nope", status: 400, code: "invalid_json" },
    { name: "a bad field", body: '{"name":""}', status: 400, code: "validation_failed", path: "name" },
    { name: "an empty body (taken as {})", body: "", status: 400, code: "validation_failed", path: "name" },
    { name: "not an object", body: "[1]", status: 400, code: "validation_failed", path: "(body)" },
    {
      name: "too large",
      body: JSON.stringify({ name: "x".repeat(100) }),
      status: 413,
      code: "payload_too_large",
    },
  ])("answers $status $code for $name", async ({ body, status, code, path }) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    const error = await errorOf(response);
    expect(error.code).toBe(code);
    if (path !== undefined) expect(error.details).toContainEqual(expect.objectContaining({ path }));
  });

  it("answers the contract's status without a body when the handler returns nothing", async () => {
    const remove = defineRoute(deleteThing, async () => undefined);
    const response = await remove(new Request("http://localhost/api/things/1", { method: "DELETE" }));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
  });

  it("treats a zod error thrown past the parsing as a bug: 500, nothing internal sent", async () => {
    const broken = defineRoute(deleteThing, async () => {
      z.number().parse("not a number");
    });
    const response = await broken(new Request("http://localhost/api/things/1", { method: "DELETE" }));
    expect(response.status).toBe(500);
    expect(await errorOf(response)).toMatchObject({ code: "internal", message: "Internal server error" });
  });

  it("carries its contract for the OpenAPI checks", () => {
    expect(get.contract).toBe(getThing);
    expect(getThing.access).toBe("public");
  });

  it("tries a read once more when its database connection was dropped, but not a change, nor a server that is down", async () => {
    const dropped = () =>
      Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" });
    const refused = () =>
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    let reads = 0;
    const flakyGet = defineRoute(getThing, async ({ params }) => {
      reads += 1;
      if (reads === 1) throw dropped();
      return { id: params.id, name: "after a retry" };
    });
    const response = await flakyGet(new Request("http://localhost/api/things/3"), segment("3"));
    expect(response.status).toBe(200);
    expect(reads).toBe(2);

    let downReads = 0;
    const downGet = defineRoute(getThing, async () => {
      downReads += 1;
      throw refused();
    });
    expect((await downGet(new Request("http://localhost/api/things/3"), segment("3"))).status).toBe(503);
    expect(downReads).toBe(1);

    let writes = 0;
    const flakyPost = defineRoute(createThing, async () => {
      writes += 1;
      throw dropped();
    });
    const posted = await flakyPost(
      new Request("http://localhost/api/things", { method: "POST", body: '{"name":"x"}' }),
      segment(""),
    );
    expect(posted.status).toBe(503);
    expect(writes).toBe(1);
  });
});
