// A Node.js custom runtime for lambda-local (and AWS Lambda's provided.*
// runtimes): the Runtime API loop around index.js's handler, as the AWS
// Node.js runtime interface client does it — load the handler at init
// (reporting /init/error on failure), then forever: GET .../invocation/next,
// call the handler with the event and a context, POST .../response, or POST
// .../error when the handler throws. node:http with a keep-alive agent, no
// dependency. Started directly as `node bootstrap.js` (no shell).
'use strict';
const http = require('http');
const path = require('path');

const [host, port] = (process.env.AWS_LAMBDA_RUNTIME_API || '').split(':');
if (!host || !port) {
  console.error('bootstrap: AWS_LAMBDA_RUNTIME_API is not set');
  process.exit(1);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const BASE = '/2018-06-01/runtime';

function call(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request({
      host, port, method, path: urlPath, agent,
      headers: Object.assign(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}, headers),
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function errorBody(e) {
  return JSON.stringify({
    errorMessage: String(e && e.message || e),
    errorType: (e && e.name) || 'Error',
    stackTrace: String(e && e.stack || '').split('\n').slice(1),
  });
}

async function main() {
  let handler;
  try {
    const root = process.env.LAMBDA_TASK_ROOT || __dirname;
    handler = require(path.join(root, 'index.js')).handler;
    if (typeof handler !== 'function') throw new Error('index.js exports no handler');
  } catch (e) {
    await call('POST', `${BASE}/init/error`, errorBody(e), { 'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError' });
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', `${BASE}/invocation/next`);
    const id = next.headers['lambda-runtime-aws-request-id'];
    const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
    if (next.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    const context = {
      awsRequestId: id,
      invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    let result, failed = null;
    try {
      result = await handler(JSON.parse(next.body), context);
    } catch (e) {
      failed = e;
    }
    if (failed) {
      console.error(`bootstrap: invocation ${id} failed: ${failed && failed.stack || failed}`);
      await call('POST', `${BASE}/invocation/${id}/error`, errorBody(failed), { 'Lambda-Runtime-Function-Error-Type': 'Runtime.HandlerError' });
    } else {
      await call('POST', `${BASE}/invocation/${id}/response`, JSON.stringify(result === undefined ? null : result));
    }
  }
}

main().catch((e) => {
  console.error(`bootstrap: ${e && e.stack || e}`);
  process.exit(1);
});
