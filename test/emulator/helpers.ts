/**
 * Shared helpers of the emulator tests: a tiny fetch-based client (no axios,
 * no mocks: every test talks HTTP to a real emulator process) and input
 * fixtures.
 */
import { EmulatorDefaults } from '../../src/runtime/protocol';

/** An HTTP answer, body parsed as JSON when it is JSON. */
export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Credentials and REST root used by an {@link Api}. */
export interface ApiOptions {
  /** Sent as `Authorization: API <key>`. */
  apiKey?: string;
  /** Sent as the Cookie header (e.g. from {@link login}). */
  cookie?: string;
  /** REST root: `/rest` or `/<account>/rest`. @default '/rest' */
  root?: string;
}

/** A minimal client of the emulator's REST API. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly options: ApiOptions = { apiKey: EmulatorDefaults.API_KEY },
  ) {}

  /** Sends one request; `body` is JSON-encoded unless it is a string. */
  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.options.apiKey) h.authorization = `API ${this.options.apiKey}`;
    if (this.options.cookie) h.cookie = this.options.cookie;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (typeof body !== 'string') h['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${this.options.root ?? '/rest'}/${path}`, {
      method,
      headers: h,
      body: payload,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(path: string): Promise<Answer<T>> {
    return this.request<T>('GET', path);
  }

  /** All nodes of `GET plumbing/?resolution=1min`. */
  async nodes(): Promise<any[]> {
    const res = await this.get('plumbing/?resolution=1min');
    expect(res.status).toBe(200);
    return res.body.nodes;
  }

  /** The live node with that name, or undefined. */
  async byName(name: string): Promise<any | undefined> {
    return (await this.nodes()).find((n) => n.name === name);
  }

  /** Creates an input and returns it as the structure shows it (it must appear at once). */
  async create(input: {
    name: string;
    type: string;
    configuration: Record<string, unknown>;
  }): Promise<any> {
    const res = await this.request('POST', 'plumbing/inputs', input);
    if (res.status !== 200) throw new Error(`create ${input.name}: ${res.status} ${res.text}`);
    const node = await this.byName(input.name);
    if (!node) throw new Error(`create ${input.name}: not in the structure`);
    return node;
  }
}

/** Logs in and returns the `alooma_emulator_session=...` cookie pair. */
export async function login(
  baseUrl: string,
  email: string = EmulatorDefaults.USERNAME,
  password: string = EmulatorDefaults.PASSWORD,
  root = '/rest',
): Promise<string> {
  const res = await fetch(`${baseUrl}${root}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie');
  if (!cookie) throw new Error('login set no cookie');
  return cookie.split(';')[0];
}

/** Calls the control API of the emulator. */
export async function control<T = any>(
  baseUrl: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<Answer<T>> {
  const api = new Api(baseUrl, { root: '/_emulator' });
  return api.request<T>(method, route, body);
}

/** Asks the control API whether a stored node secret equals `value` (never returns it). */
export async function secretMatches(
  baseUrl: string,
  nodeId: string,
  path: string,
  value: string,
): Promise<boolean> {
  const res = await control(baseUrl, 'POST', 'secrets/check', { nodeId, path, value });
  expect(res.status).toBe(200);
  return res.body.matches;
}

/** A valid ODBC input. */
export function odbcInput(name: string, configuration: Record<string, unknown> = {}) {
  return {
    name,
    type: 'ODBC',
    configuration: {
      server: 'db.internal.example',
      port: 5432,
      database: 'shop',
      schema: 'public',
      db_type: 'psql',
      user: 'alooma_reader',
      password: 'db-password-1',
      replication_type: 'incremental_load',
      batch_size: 100000,
      auto_map: 'true',
      tables: JSON.stringify({ orders: 'xmin::text::bigint', users: 'xmin::text::bigint' }),
      ...configuration,
    },
  };
}

/** A valid REST_INPUT input with a secret `session_id` parameter. */
export function restInput(name: string, configuration: Record<string, unknown> = {}) {
  return {
    name,
    type: 'REST_INPUT',
    configuration: {
      base_url: 'https://mixpanel.com/api/2.0/engage',
      request: 'GET',
      data_field: 'results',
      frequency: 240,
      auto_map: false,
      parameters: [
        { parameter: 'session_id', type: 'Text', value: 'rest-secret-1' },
        { parameter: 'where', type: 'Days Past', value: 2, template: '%Y-%m-%d' },
      ],
      ...configuration,
    },
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
