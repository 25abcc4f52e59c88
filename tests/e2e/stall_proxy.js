// A TCP proxy to DynamoDB Local that can be told to stall, so a handler can
// be caught in the middle of a DynamoDB call (the crash and timeout cases of
// tests/suites/e2e.sh).
//
//   node tests/e2e/stall_proxy.js TARGET_PORT
//     listens on a free loopback port; prints "port N" once ready.
//   SIGUSR1: stall. Bytes from clients are held back, not forwarded; each
//            held chunk prints "held N". SIGUSR2: forward again (held bytes
//            of connections still open are sent on).
'use strict';
const net = require('net');

const target = Number(process.argv[2]);
if (!target) {
  console.error('usage: stall_proxy.js TARGET_PORT');
  process.exit(2);
}
let stalled = false;
const held = new Set();

const server = net.createServer((client) => {
  const upstream = net.connect(target, '127.0.0.1');
  const c = { client, upstream, queue: [] };
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.on('data', (d) => {
    if (stalled) {
      c.queue.push(d);
      held.add(c);
      console.log(`held ${d.length}`);
    } else {
      upstream.write(d);
    }
  });
  upstream.on('data', (d) => client.write(d));
  const close = () => { held.delete(c); client.destroy(); upstream.destroy(); };
  client.on('close', close);
  upstream.on('close', close);
  client.on('error', close);
  upstream.on('error', close);
});

process.on('SIGUSR1', () => { stalled = true; console.log('stalled'); });
process.on('SIGUSR2', () => {
  stalled = false;
  for (const c of held) for (const d of c.queue.splice(0)) c.upstream.write(d);
  held.clear();
  console.log('flowing');
});
process.on('SIGTERM', () => process.exit(0));

server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
