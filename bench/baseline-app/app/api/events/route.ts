// The ceiling for any route handler on this machine: parse the JSON body, answer 202.
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const body: unknown = await request.json();
  const accepted = Array.isArray(body) ? body.length : 1;
  return Response.json({ accepted }, { status: 202 });
}
