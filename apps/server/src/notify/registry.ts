import type { TelnyxClient } from './providers/telnyx/index.js';
import type { Channel, Provider } from './types.js';

/** The configured provider for each channel. A channel without one fails its messages with a clear reason. */
export class ProviderRegistry {
  private readonly byChannel = new Map<Channel, Provider>();
  /** The phone numbers SMS and voice are sent from, with their provider (the contact methods screen's vCard). */
  readonly senderNumbers: { provider: string; number: string }[] = [];
  /** Telnyx's client, when configured: its inbound webhooks answer a call with Call Control commands. */
  telnyx: TelnyxClient | null = null;

  /** Registers a provider for its channel (replacing any earlier one). */
  register(p: Provider): this {
    this.byChannel.set(p.channel, p);
    return this;
  }

  /** The provider for a channel, if configured. */
  get(channel: Channel): Provider | undefined {
    return this.byChannel.get(channel);
  }

  /** The channels that can send. */
  channels(): Channel[] {
    return [...this.byChannel.keys()];
  }
}
