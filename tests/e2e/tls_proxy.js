// A TLS front for DynamoDB Local (plain HTTP), so the bootstrap's HTTPS path
// (libcurl + OpenSSL as linked into the release program, certificate and
// host checks) is exercised end to end by tests/suites/e2e.sh.
//
//   node tests/e2e/tls_proxy.js TARGET_PORT CERT.pem KEY.pem
//     listens on a free loopback port; prints "port N" once ready, then
//     "tls PROTOCOL CIPHER" for every completed handshake, and "tls-error ..."
//     for every failed one.
'use strict';
const fs = require('fs');
const net = require('net');
const tls = require('tls');

const [target, certFile, keyFile] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
if (!target || !certFile || !keyFile) {
  console.error('usage: tls_proxy.js TARGET_PORT CERT.pem KEY.pem');
  process.exit(2);
}
const server = tls.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (client) => {
  console.log(`tls ${client.getProtocol()} ${client.getCipher().name}`);
  const upstream = net.connect(target, '127.0.0.1');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  const end = () => { client.destroy(); upstream.destroy(); };
  client.on('error', end);
  upstream.on('error', end);
  client.on('close', end);
  upstream.on('close', end);
});
server.on('tlsClientError', (err) => console.log(`tls-error ${err.code || err.message}`));
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
