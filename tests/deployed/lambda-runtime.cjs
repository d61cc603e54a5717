// One Lambda execution environment for the deployment test: a fresh Node process (the parent starts it with
// the project's Node 24, as nodejs24.x), the environment the parent built from the template and nothing else,
// the handler loaded from the function's cdk.out folder exactly as Lambda loads `index.handler`. Invocations
// come over IPC one at a time (as one environment takes them); the answer or the error goes back the same way.
'use strict';
const path = require('node:path');

const [codeDir, handlerName, timeoutSeconds] = process.argv.slice(2);
const dot = handlerName.lastIndexOf('.');
const file = path.join(codeDir, `${handlerName.slice(0, dot)}.js`);
const exportName = handlerName.slice(dot + 1);

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
  const context = {
    awsRequestId: `local-${process.pid}-${++count}`,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    invokedFunctionArn: message.functionArn,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    callbackWaitsForEmptyEventLoop: true,
  };
  const began = process.hrtime.bigint();
  try {
    if (initError) throw initError;
    const result = await handler(message.event, context);
    const ms = Number(process.hrtime.bigint() - began) / 1e6;
    process.send({ type: 'result', id: message.id, result: result === undefined ? null : result, ms, initMs });
  } catch (error) {
    const ms = Number(process.hrtime.bigint() - began) / 1e6;
    process.send({
      type: 'error',
      id: message.id,
      error: { errorType: error?.name ?? 'Error', errorMessage: String(error?.message ?? error), stack: error?.stack },
      ms,
      initMs,
    });
  }
});
process.send({ type: 'ready', initMs });
