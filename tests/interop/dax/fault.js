'use strict';
// Faults on the server: malformed / truncated / oversize / random frames on
// one connection; dax-local drops that connection and keeps serving another
// client (an official DAX client whose pooled connection stays open).
// usage: node fault.js DDB_ENDPOINT DAX_HOST:PORT STATS_URL
const net = require('net');
const crypto = require('crypto');
const c = require('./common');

const [ddbEndpoint, daxEndpoint, statsUrl] = process.argv.slice(2);
const [host, port] = daxEndpoint.split(':');
let pass = 0; let fail = 0;
function check(cond, name, detail) {
  if (cond) { pass++; console.log(`ok   fault ${name}`); } else { fail++; console.log(`FAIL fault ${name}${detail ? ': ' + detail : ''}`); }
}

const preamble = Buffer.concat([
  Buffer.from('674a37796e65354700', 'hex').subarray(0, 9), // "J7yne5G", 0
  Buffer.from([0x50]), crypto.randomBytes(16),
  Buffer.from('a169557365724167656e74', 'hex'), Buffer.from([0x72]), Buffer.from('DaxJSClient-1.2.10'),
  Buffer.from([0x00]),
]);

// Send bytes; resolve 'closed' when the server closes, 'open' after ms
// (generous: a loaded machine may take a while to close).
function probe(bytes, { end = false, ms = 5000 } = {}) { // 'closed' ends it early
  return new Promise((resolve) => {
    const s = net.connect(Number(port), host, () => {
      s.write(bytes);
      if (end) s.end();
    });
    let done = false;
    const fin = (v) => { if (!done) { done = true; s.destroy(); resolve(v); } };
    s.on('data', () => {});
    s.on('close', () => fin('closed'));
    s.on('error', () => fin('closed'));
    setTimeout(() => fin('open'), ms);
  });
}

(async () => {
  const T = 'FaultTest_' + Date.now().toString(36);
  const ddb = c.direct(ddbEndpoint);
  await c.createTable(ddb, T, false);
  const dax = c.daxV3(daxEndpoint);
  const k = { ProductID: { S: 'F1' }, Version: { N: '1' } };
  await dax.putItem({ TableName: T, Item: Object.assign({ Val: { S: 'ok' } }, k) });
  const healthy = async () => {
    try { const r = await dax.getItem({ TableName: T, Key: k }); return r.Item && r.Item.Val.S === 'ok'; } catch (e) { return false; }
  };
  const s0 = await c.getJSON(statsUrl);
  const cases = [
    ['random bytes instead of a preamble', crypto.randomBytes(4096)],
    ['random bytes after the preamble', Buffer.concat([preamble, Buffer.from([0x01]), crypto.randomBytes(4096)])],
    ['malformed CBOR (reserved additional info)', Buffer.concat([preamble, Buffer.from([0x01, 0x1c])])],
    ['oversize length (byte string of 2^40 bytes)', Buffer.concat([preamble, Buffer.from('011a0fb0cc6a5b0000010000000000', 'hex')])],
    ['oversize count (array of 2^32 items)', Buffer.concat([preamble, Buffer.from('011a0fb0cc6a9b0000000100000000', 'hex')])],
    ['unknown method id', Buffer.concat([preamble, Buffer.from('011a12345678', 'hex')])],
    ['wrong service id type', Buffer.concat([preamble, Buffer.from('6161', 'hex')])],
  ];
  for (const [name, bytes] of cases) {
    const r = await probe(bytes);
    check(r === 'closed', `${name}: connection dropped`, r);
    check(await healthy(), `${name}: other client still served`);
  }
  // truncated frame: half a getItem, then EOF
  const get = Buffer.from('011a0fb0cc6a4946617' + '56c74546573744a', 'hex');
  const r = await probe(Buffer.concat([preamble, get.subarray(0, 6)]), { end: true });
  check(r === 'closed', 'truncated frame then EOF: connection closed', r);
  check(await healthy(), 'truncated frame: other client still served');
  // EOF right after the preamble (the health checker does this): not an error
  const r2 = await probe(preamble, { end: true });
  check(r2 === 'closed', 'EOF after the preamble: closed quietly');
  // a request with wrong argument types is answered with an error, not a
  // crash (on an authorised connection: dax-local verifies authorizeConnection)
  const bad = Buffer.concat([preamble, c.authFrame(), Buffer.from('011a0fb0cc6a0102f6', 'hex')]);
  const r3 = await new Promise((resolve) => {
    const s = net.connect(Number(port), host, () => s.write(bad));
    let got = Buffer.alloc(0);
    s.on('data', (d) => { got = Buffer.concat([got, d]); if (got.length >= 2) { s.destroy(); resolve(got); } });
    s.on('error', () => resolve(got));
    setTimeout(() => { s.destroy(); resolve(got); }, 5000); // 2 bytes end it early
  });
  check(r3.length > 0 && r3[0] === 0x85, 'wrong argument types: answered with an error triple', r3.toString('hex').slice(0, 40));
  // mutation fuzzing: valid getItem / putItem / query / batchWrite requests
  // with bytes flipped, cut or inserted, each on its own connection; the
  // server must answer or drop, never crash (ASan checks the rest)
  const tb = Buffer.from(T);
  const bstr = (b) => Buffer.concat([Buffer.from([0x40 + b.length]), b]);
  const key = Buffer.from('624632c11c0000', 'hex'); // F2: not the probe item
  const kc = Buffer.concat([Buffer.from('8301830082126950726f6475637449448211008162', 'hex'), Buffer.from('F2')]);
  const seeds = [
    Buffer.concat([Buffer.from('011a0fb0cc6a', 'hex'), Buffer.from([0x58, tb.length]), tb, bstr(key), Buffer.from('bfff', 'hex')]),
    Buffer.concat([Buffer.from('013a7d8e7e56', 'hex'), Buffer.from([0x58, tb.length]), tb, bstr(key), Buffer.from('4101bfff', 'hex')]),
    Buffer.concat([Buffer.from('013a3781c2ae', 'hex'), Buffer.from([0x58, tb.length]), tb, Buffer.from([0x58, kc.length]), kc, Buffer.from('bf0d02ff', 'hex')]),
    Buffer.concat([Buffer.from('011a06ed585f', 'hex'), Buffer.from([0xa1, 0x78, tb.length]), tb, Buffer.from([0x82]), bstr(key), Buffer.from('f6bfff', 'hex')]),
  ];
  let seed = 7;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  let crashed = false;
  const N = 1000;
  const auth = c.authFrame(); // each mutated request on an authorised connection
  for (let i = 0; i < N && !crashed; i++) {
    const base = Buffer.from(seeds[i % seeds.length]);
    let m;
    const kind = rnd(3);
    if (kind === 0) { m = base; for (let j = 0; j <= rnd(3); j++) m[rnd(m.length)] = rnd(256); }
    else if (kind === 1) m = base.subarray(0, rnd(base.length));
    else { const at = rnd(base.length); m = Buffer.concat([base.subarray(0, at), crypto.randomBytes(1 + rnd(4)), base.subarray(at)]); }
    await probe(Buffer.concat([preamble, auth, m]), { end: true, ms: 300 });
    if (i % 40 === 39 && !(await healthy())) crashed = true;
  }
  check(!crashed && await healthy(), `${N} mutated requests (flipped, cut, inserted bytes): server keeps serving`);

  const s1 = await c.getJSON(statsUrl);
  check(s1.dropped_connections - s0.dropped_connections >= cases.length + 1, `dropped connections counted (${s1.dropped_connections - s0.dropped_connections})`);
  check(await healthy(), 'server healthy at the end');
  dax.close();
  ddb.destroy();
  console.log(`fault: ${pass} passed, ${fail} failed`);
  process.exit(0);
})().catch((e) => { console.log('FAIL fault harness: ' + (e && e.stack || e)); console.log(`fault: ${pass} passed, ${fail + 1} failed`); process.exit(0); });
