// fauxqs (SQS, ESM-only, Node >= 22.5) in its own process: jest's CommonJS test modules cannot import() it.
// Prints {"port":N} once listening on 127.0.0.1; stops when its stdin closes (the test ended or died).
import { startFauxqs } from 'fauxqs';

const server = await startFauxqs({ port: 0, logger: false });
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.stop();
  process.exit(0);
});
