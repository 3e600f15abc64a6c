import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { closed, responseSerializer } from '../../src/http/serialization.js';

const Answer = Type.Object({ user: Type.Object({ id: Type.String(), at: Type.Number() }), extra: Type.Optional(Type.Object({}, { additionalProperties: true })) });

async function app(check: boolean, body: unknown) {
  const a = Fastify();
  a.setSerializerCompiler(responseSerializer(check));
  a.get('/x', { schema: { response: { 200: Answer } } }, async () => body);
  await a.ready();
  return a;
}

describe('response serialization', () => {
  it('writes answers as JSON.stringify does: nothing the schema leaves out is dropped', async () => {
    const a = await app(false, { user: { id: 'u1', at: 1, name: 'Ann' }, other: true });
    const res = await a.inject('/x');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ user: { id: 'u1', at: 1, name: 'Ann' }, other: true });
  });

  it('in check mode, answers a 500 naming the route and the field the schema does not name', async () => {
    const a = await app(true, { user: { id: 'u1', at: 1, name: 'Ann' } });
    const res = await a.inject('/x');
    expect(res.statusCode).toBe(500);
    expect(res.json().message).toMatch(/GET \/x .*must NOT have additional properties/);
  });

  it('in check mode, a missing field or a wrong type fails too; a matching answer passes unchanged', async () => {
    expect((await (await app(true, { user: { id: 'u1' } })).inject('/x')).statusCode).toBe(500);
    expect((await (await app(true, { user: { id: 'u1', at: '1' } })).inject('/x')).statusCode).toBe(500);
    const ok = await (await app(true, { user: { id: 'u1', at: 1 }, extra: { anything: [1] } })).inject('/x');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ user: { id: 'u1', at: 1 }, extra: { anything: [1] } });
  });

  it('closes objects that do not say additionalProperties, and keeps those that do', () => {
    const c = closed(Answer) as any;
    expect(c.additionalProperties).toBe(false);
    expect(c.properties.user.additionalProperties).toBe(false);
    expect(c.properties.extra.additionalProperties).toBe(true);
  });
});
