/** A small client for a running Klaxon: KLAXON_URL and KLAXON_TOKEN from the environment. */
export class KlaxonClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  /** From KLAXON_URL (default http://127.0.0.1:8080) and KLAXON_TOKEN. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): KlaxonClient {
    return new KlaxonClient((env.KLAXON_URL || 'http://127.0.0.1:8080').replace(/\/+$/, ''), env.KLAXON_TOKEN);
  }

  /** Calls the API; throws an Error with the server's message on a non-2xx answer. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.token) throw new Error('Set KLAXON_TOKEN to an API token (create one with: klaxon token create --user EMAIL)');
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'x-klaxon-client': 'cli', ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new Error(`Cannot reach Klaxon at ${this.baseUrl} (${e instanceof Error ? e.message : String(e)}); set KLAXON_URL`);
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const err = (json as { error?: { message?: string } } | undefined)?.error;
      throw new Error(`${res.status}: ${err?.message ?? text}`);
    }
    return json as T;
  }
}
