/**
 * The ceiling for `npm run bench:api`: a bare Fastify server in a process of
 * its own, answering a GET and a JSON POST of the same shapes as the routes
 * measured, with none of ECG's hooks, validation, database or storage.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/status/:id', async (request) => ({ job_id: (request.params as { id: string }).id, status: 'processing', progress: 42 }));
app.post('/generate-url', async (request) => ({ url: 'http://127.0.0.1/x', echo: request.body }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('listening\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
