// Compiles one MJML template in a worker thread, so mjml (tens of MB once loaded) leaves the process
// when the worker ends instead of staying for a whole send. Plain JS: it runs without tsx.
const { parentPort, workerData } = require('node:worker_threads');
const mod = require('mjml');
const mjml2html = mod.default ?? mod;

Promise.resolve()
  .then(() => mjml2html(workerData.source, workerData.options))
  .then(
    (result) => parentPort.postMessage({ html: result.html, errors: result.errors.map((e) => e.formattedMessage) }),
    (error) =>
      parentPort.postMessage({
        failure: error.message,
        errors: (error.errors ?? []).map((e) => e.formattedMessage),
      }),
  );
