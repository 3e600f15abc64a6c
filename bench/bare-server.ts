/** The ceiling for ingest benchmarks: a bare Fastify handler that parses the JSON body and answers 202. */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 512 * 1024 });
app.post('/v2/enqueue', async (_req, reply) => reply.status(202).send({ status: 'success', message: 'Event processed', dedup_key: 'x' }));
const port = Number(process.env.PORT);
await app.listen({ host: '127.0.0.1', port });
process.stdout.write('bare ready\n');
