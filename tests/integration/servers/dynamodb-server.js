// dynalite (DynamoDB in memory) in its own process, so a busy test or bench process does not slow the
// database it measures against. Prints {"port":N} once listening on 127.0.0.1; stops when stdin closes.
const dynalite = require('dynalite');

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
