// The API of relmap serve (/api/v1), read with the user's token and kept by ETag.

export interface Department {
  id: string;
  name?: string;
  unit?: string;
  requests_made: number;
  requests_received: number;
  gives: number;
  gets: number;
  give_ratio: number | null;
  not_my_role_rate: number | null;
  dead_end_rate: number | null;
  handoffs_in: number;
  handoffs_out: number;
  solved: number;
  unsolved: number;
  andon: number;
  community: number;
  betweenness: number;
  articulation_point: boolean;
}

export interface Edge {
  from: string;
  to: string;
  requests: number;
  resolved: number;
  declined: number;
  redirected: number;
  open: number;
  expired: number;
  dead_ends: number;
  response_time_p50_s: number | null;
  response_time_p90_s: number | null;
  handoffs: number;
  ping_pong: number;
  andon: number;
  bridge: boolean;
}

export interface Pair { a: string; b: string; gives: number; gets: number; imbalance: number | null; flagged: boolean }
export interface Silo { departments: string[]; kind: string; internal: number; external: number; external_share: number | null }
export interface Community { id: number; departments: string[]; modularity_contribution: number }

export interface GraphData {
  watermark: string | null;
  window: { from: string | null; to: string | null };
  totals: { events: number; duplicates: number; rejected: number; cases: number; cases_without_handoff: number };
  departments: Department[];
  edges: Edge[];
  pairs: Pair[];
  silos: Silo[];
  communities: Community[];
}

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const tokenKey = "relmap-token";
export const token = {
  get: (): string | null => sessionStorage.getItem(tokenKey),
  set: (value: string) => sessionStorage.setItem(tokenKey, value),
  clear: () => sessionStorage.removeItem(tokenKey),
};

interface Kept { etag: string; body: unknown }
const kept = new Map<string, Kept>();

/// GETs an API path as JSON. A 304 answers from what was kept for the same path, so polling costs
/// the server one ETag comparison when nothing changed.
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetchApi(path, kept.get(path)?.etag);
  if (response.status === 304) return kept.get(path)!.body as T;
  const body = (await response.json()) as T;
  const etag = response.headers.get("ETag");
  if (etag) kept.set(path, { etag, body });
  return body;
}

export async function getText(path: string): Promise<string> {
  return (await fetchApi(path)).text();
}

async function fetchApi(path: string, etag?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  const bearer = token.get();
  if (bearer) headers["Authorization"] = `Bearer ${bearer}`;
  if (etag) headers["If-None-Match"] = etag;
  const response = await fetch(path, { headers });
  if (response.ok || response.status === 304) return response;
  let code = "http_" + response.status;
  let message = response.statusText;
  try {
    const error = (await response.json()) as { error?: { code?: string; message?: string } };
    code = error.error?.code ?? code;
    message = error.error?.message ?? message;
  } catch {
    // not the API's JSON error (a proxy's page): keep the status line
  }
  throw new HttpError(response.status, code, message);
}

export function apiPath(path: string, query: Record<string, string | number | boolean | null | undefined> = {}): string {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "" && value !== false) parameters.set(key, String(value));
  }
  const text = parameters.toString();
  return `/api/v1/${path}${text ? "?" + text : ""}`;
}

export const departmentPath = (id: string, rest = "") => `departments/${encodeURIComponent(id)}${rest}`;
