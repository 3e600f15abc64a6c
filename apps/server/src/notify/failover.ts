/**
 * SMS and voice through several providers: one Provider per channel that picks the providers for the
 * destination (routing.ts) and fails over to the next one when a provider answers an error or does
 * not answer in time. Providers that already reported the message failed (a delivery-status
 * callback) are skipped. Each failover is returned with the result (or the final error), and the
 * delivery module writes it on the incident's timeline.
 *
 * When every provider fails the failure is permanent (the person's notification plan moves on at
 * once), except with a single provider and a temporary error, which is retried with backoff as before.
 */
import { providerOrder, type SmsRoute } from './routing.js';
import { ProviderError, type Failover, type OutgoingMessage, type Provider, type SendResult } from './types.js';
import { must } from '../lib/must.js';

export class FailoverProvider implements Provider {
  constructor(
    readonly channel: 'sms' | 'voice',
    private readonly providers: ReadonlyMap<string, Provider>,
    private readonly routes: readonly SmsRoute[],
    private readonly defaultOrder: readonly string[],
  ) {}

  /** The names of the configured providers, in the default order. */
  names(): string[] {
    return this.defaultOrder.filter((n) => this.providers.has(n));
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const skip = new Set(msg.skipProviders ?? []);
    const routed = providerOrder(msg.destination, this.routes, this.defaultOrder).filter((n) => this.providers.has(n));
    const todo = routed.filter((n) => !skip.has(n));
    if (!todo.length) {
      const why = routed.length ? `every ${this.channel} provider reported this message failed (${routed.join(', ')})` : `no ${this.channel} provider is routed to ${msg.destination}`;
      throw new ProviderError(why, true, 'all_providers_failed');
    }
    const failovers: Failover[] = [];
    const errors: { name: string; e: ProviderError }[] = [];
    for (const [i, name] of todo.entries()) {
      try {
        const r = await must(this.providers.get(name), `provider ${name}`).send(msg);
        return { ...r, provider: name, ...(failovers.length && { failovers }) };
      } catch (err) {
        const e = err instanceof ProviderError ? err : new ProviderError(err instanceof Error ? err.message : String(err), false);
        errors.push({ name, e });
        if (i + 1 < todo.length) failovers.push({ from: name, to: must(todo[i + 1], 'the next provider'), error: e.message });
      }
    }
    const last = must(errors.at(-1), 'the last error').e;
    if (errors.length === 1 && !skip.size) throw new ProviderError(last.message, last.permanent, last.providerStatus);
    throw new ProviderError(`every ${this.channel} provider failed: ${errors.map((x) => `${x.name}: ${x.e.message}`).join('; ')}`, true, last.providerStatus ?? 'all_providers_failed', failovers);
  }
}
