// One Lambda execution environment for the deployment test: a fresh Node process (the parent starts it with
// the project's Node 24, as nodejs24.x), the environment the parent built from the template and nothing else,
// the handler loaded from the function's cdk.out folder exactly as Lambda loads `index.handler`. Invocations
// come over IPC one at a time (as one environment takes them); the answer or the error goes back the same way.
//
// The log is one stream, as CloudWatch gets it: stderr is written to stdout, so lines keep their order. Each
// invocation's lines sit between the platform's start and report records (JSON, as AWS_LAMBDA_LOG_FORMAT=JSON
// writes them), and an error that escapes the handler is logged as the runtime logs it ("Invoke Error"), so
// the parent can hand a caller that invocation's log (Invoke with LogType=Tail).
'use strict';
const path = require('node:path');

process.stderr.write = process.stdout.write.bind(process.stdout);

const [codeDir, handlerName, timeoutSeconds] = process.argv.slice(2);
const dot = handlerName.lastIndexOf('.');
const file = path.join(codeDir, `${handlerName.slice(0, dot)}.js`);
const exportName = handlerName.slice(dot + 1);

const platform = (type, record) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), type, record })}\n`);

let handler;
let initError;
const started = process.hrtime.bigint();
try {
  handler = require(file)[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} exports no function ${exportName}`);
} catch (error) {
  initError = error;
}
const initMs = Number(process.hrtime.bigint() - started) / 1e6;

let count = 0;
process.on('message', async (message) => {
  if (message?.type !== 'invoke') return;
  const deadline = Date.now() + Number(timeoutSeconds) * 1000;
  const requestId = `local-${process.pid}-${++count}`;
  const context = {
    awsRequestId: requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    invokedFunctionArn: message.functionArn,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    callbackWaitsForEmptyEventLoop: true,
  };
  platform('platform.start', { requestId, version: '$LATEST' });
  const began = process.hrtime.bigint();
  const end = (status) => {
    const ms = Number(process.hrtime.bigint() - began) / 1e6;
    platform('platform.runtimeDone', { requestId, status });
    platform('platform.report', { requestId, status, metrics: { durationMs: ms } });
    return ms;
  };
  try {
    if (initError) throw initError;
    const result = await handler(message.event, context);
    const ms = end('success');
    process.send({
      type: 'result',
      id: message.id,
      requestId,
      result: result === undefined ? null : result,
      ms,
      initMs,
    });
  } catch (error) {
    const errorType = error?.name ?? 'Error';
    const errorMessage = String(error?.message ?? error);
    const stackTrace = String(error?.stack ?? '').split('\n');
    process.stdout.write(
      `${JSON.stringify({ timestamp: new Date().toISOString(), level: 'ERROR', requestId, message: 'Invoke Error', errorType, errorMessage, stackTrace })}\n`,
    );
    const ms = end('error');
    process.send({
      type: 'error',
      id: message.id,
      requestId,
      error: { errorType, errorMessage, stack: error?.stack },
      ms,
      initMs,
    });
  }
});
process.send({ type: 'ready', initMs });
