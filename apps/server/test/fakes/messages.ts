/** Sample messages for renderer and provider tests: one of each kind, with overridable page fields. */
import type { Message, OutgoingMessage, PageMessage, ReplyMessage, TestMessage, VerificationMessage } from '../../src/notify/types.js';

/** A triggered critical page for incident #42 on checkout-api; override any field. */
export function samplePage(over: Partial<PageMessage> = {}): PageMessage {
  return {
    kind: 'page',
    incidentId: '01JH0000000000000000000042',
    incidentNumber: 42,
    title: 'DB down',
    serviceName: 'checkout-api',
    severity: 'critical',
    status: 'triggered',
    details: 'connection refused: postgres-primary:5432\nerror rate 87%',
    alertCount: 3,
    createdAt: Date.parse('2026-01-05T09:00:00Z'),
    incidentUrl: 'https://klaxon.example.com/incidents/42',
    ackUrl: 'https://klaxon.example.com/a/42?sig=abc&exp=1',
    resolveUrl: 'https://klaxon.example.com/r/42?sig=def&exp=1',
    ...over,
  };
}

/** A verification code message. */
export const sampleVerification: VerificationMessage = { kind: 'verification', code: '123456', userName: 'Ada Lovelace' };
/** A test message. */
export const sampleTest: TestMessage = { kind: 'test', userName: 'Ada Lovelace' };
/** A reply message. */
export const sampleReply: ReplyMessage = { kind: 'reply', text: 'Incident #42 acknowledged.' };

/** One message of every kind. */
export const allKinds: Message[] = [samplePage(), sampleVerification, sampleTest, sampleReply];

/** Wraps a message into an OutgoingMessage. */
export function outgoing(channel: OutgoingMessage['channel'], destination: string, message: Message, id = 'msg-0001'): OutgoingMessage {
  return { id, channel, destination, message };
}
