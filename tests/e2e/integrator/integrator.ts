// An integrator's script against the dealwright API, typed by openapi-typescript from the
// API document (tests/e2e/test_openapi.sh generates ./api.d.ts, type-checks this file with
// tsc --strict and runs it against a loopback server). A CRM posts a lead; the deal desk's
// tool reads the deal's requirements and quote, decides the approval it may, records the
// customer's acceptance and reads the order's quote diff totals.
import type { components, paths } from "./api";

type S = components["schemas"];
type LeadAccepted = paths["/v1/leads"]["post"]["responses"][202]["content"]["application/json"];
declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const base = process.env.DW_URL ?? "http://127.0.0.1:8080";
const crm = process.env.DW_CRM_TOKEN ?? "", desk = process.env.DW_DESK_TOKEN ?? "";
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function api<T>(method: "GET" | "POST", path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) {
    const { error } = json as S["Error"];
    throw new Error(`${method} ${path}: ${res.status} ${error.code} ${error.field ?? ""}: ${error.message}`);
  }
  return json as T;
}

async function settled(id: string): Promise<S["Deal"]> {
  for (;;) {
    const deal = await api<S["Deal"]>("GET", `/v1/deals/${id}`, desk);
    if (!["new", "qualifying", "scoping", "pricing"].includes(deal.stage)) return deal;
    await sleep(200);
  }
}

async function main(): Promise<void> {
  const lead: S["LeadInput"] = {
    source: "api", external_id: "crm-2026-4712", received_at: "2026-11-23T08:30:00Z",
    contact: { name: "Frieda Albers", email: "f.albers@hafenstadt-kuehl.example",
               title: "Head of IT", company: "Hafenstadt Kühllogistik GmbH", country: "DE" },
    subject: "SD-WAN for our cold stores",
    message: "We run 10 cold-storage sites in northern Germany and need SD-WAN with a firewall " +
      "at every site, installation included. We ask for a 25% discount, since 30 more sites " +
      "follow next year. Budget around EUR 40,000; we would like to start by March 2027.",
  };
  const posted = await api<LeadAccepted>("POST", "/v1/leads", crm, lead);
  let deal = await settled(posted.deal);
  const sites = deal.requirements?.quantities?.map((q) => `${q.value} ${q.unit}`).join(", ");
  console.log(`${deal.id} ${deal.stage}: ${sites}; discount asked ${deal.requirements?.discount?.pct ?? "none"} %`);
  const quote = deal.quote;
  if (!quote) throw new Error(`${deal.id} has no quote (${deal.stage})`);
  for (const l of quote.lines) console.log(`  ${l.quantity} x ${l.sku} ${l.net} ${quote.currency}`);
  console.log(`quote r${quote.revision}: ${quote.total} ${quote.currency}, discount ${quote.discount_pct} %`);

  for (const a of deal.approvals.filter((x) => x.status === "pending" && x.can_decide)) {
    const decision: S["DecisionInput"] = { decision: "approve", note: "volume: 30 more sites in 2027" };
    const res = await api<S["DecisionResult"]>("POST", `/v1/approvals/${a.id}/decision`, desk, decision);
    console.log(`${a.id} (${a.kind}, ${a.required_role}) ${res.approval.status}; deal ${res.stage}`);
  }
  deal = await settled(deal.id);
  if (deal.stage !== "proposal_ready" || !deal.quote) throw new Error(`${deal.id} is ${deal.stage}`);
  const accept: S["AcceptInput"] = { revision: deal.quote.revision, by: "Frieda Albers" };
  const order = await api<S["Order"]>("POST", `/v1/deals/${deal.id}/accept`, desk, accept);
  console.log(`order ${order.id}: ${order.total} ${order.currency}, ${order.lines.length} lines`);

  const diff = await api<S["QuoteDiff"]>("GET", `/v1/deals/${deal.id}/quotes/1/diff/${order.quote_revision}`, desk);
  const t = diff.totals.total;
  if (t === undefined || t.to === null) throw new Error("the diff has no total");
  console.log(`diff r${diff.from.revision}..r${diff.to.revision}: total ${t.to / 10 ** diff.digits} ${diff.currency} (${t.delta ?? "n/a"})`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
