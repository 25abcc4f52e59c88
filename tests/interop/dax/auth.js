'use strict';
// authorizeConnection verification (dax-protocol.md §3, §5) with AWS's
// official Node clients and raw frames signed by common.authFrame.
// usage: node auth.js DDB_ENDPOINT DAX_HOST:PORT STATS_URL verify|noverify
//   verify:   dax-local as started by default (SigV4 checked against its own
//             AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION, which
//             are this process's): a wrong secret or key id fails with the
//             auth error, nothing is written (read back straight from
//             DynamoDB), the refusals are counted in GET /stats; the right
//             credentials work; raw frames: never authorised -> [4,23,31,33],
//             refused -> [4,23,31,32] on an open connection that a good
//             re-authorisation repairs, the last authorisation counts, a stale
//             or future date -> "Signature expired" / "not yet current", a
//             scope for another region -> refused.
//   noverify: dax-local --no-verify-auth: the wrong secret works.
const net = require('net');
const crypto = require('crypto');
const c = require('./common');

const [ddbEndpoint, daxEndpoint, statsUrl, mode] = process.argv.slice(2);
const [host, port] = daxEndpoint.split(':');
let pass = 0; let fail = 0;
function check(cond, name, detail) {
  if (cond) { pass++; console.log(`ok   auth ${name}`); } else { fail++; console.log(`FAIL auth ${name}${detail ? ': ' + detail : ''}`); }
}

const preamble = Buffer.concat([Buffer.from('674a37796e65354700', 'hex'), Buffer.from([0x50]), crypto.randomBytes(16),
  Buffer.from('a169557365724167656e74', 'hex'), Buffer.from([0x72]), Buffer.from('DaxJSClient-1.2.10'), Buffer.from([0x00])]);
const ENDPOINTS = Buffer.from('011a1b2bcf02', 'hex');
// defineKeySchema(table): a data-path request (it reads the table's schema)
const defineKeySchema = (t) => Buffer.concat([Buffer.from('013a2c43e27e', 'hex'), Buffer.from([0x40 + t.length]), Buffer.from(t)]);

// One connection: send the steps in order, each step's bytes and then (if
// `reply`) read one response: resolves [{bytes}...] per replied step and
// whether the server kept the connection open.
function session(steps) {
  return new Promise((resolve) => {
    const s = net.connect(Number(port), host);
    const out = [];
    let buf = Buffer.alloc(0);
    let i = 0; let closed = false; let waiting = null;
    const fin = () => { s.destroy(); resolve({ replies: out, open: !closed }); };
    s.on('data', (d) => { buf = Buffer.concat([buf, d]); if (waiting) waiting(); });
    s.on('close', () => { closed = true; if (waiting) waiting(); });
    s.on('error', () => { closed = true; });
    const next = () => {
      if (i >= steps.length) { setTimeout(fin, 50); return; }
      const st = steps[i++];
      s.write(st.bytes);
      if (!st.reply) { next(); return; }
      const t = setTimeout(() => { waiting = null; out.push(null); next(); }, 5000); // a reply ends it early
      // responses here are small and arrive in one piece after a pause
      waiting = () => {
        if (!buf.length && !closed) return;
        setTimeout(() => { clearTimeout(t); waiting = null; out.push(buf); buf = Buffer.alloc(0); next(); }, 100);
        waiting = () => {};
      };
    };
    s.on('connect', () => { s.write(preamble); next(); });
  });
}
const hex = (b) => (b ? b.toString('hex') : 'none');
// [4, 23, 31, leaf] head
const authErr = (b, leaf) => b && b.subarray(0, 7).equals(Buffer.from([0x84, 0x04, 0x17, 0x18, 0x1f, 0x18, leaf]));
const has = (b, s) => b && b.includes(Buffer.from(s));

async function stats() { return c.getJSON(statsUrl); }

// A client with other credentials; put then (on success) read back.
async function tryClient(which, credsOver, T, id) {
  let client;
  const k = { ProductID: { S: id }, Version: { N: '1' } };
  if (which === 'v1') {
    const AmazonDaxClient = require('amazon-dax-client');
    const raw = new AmazonDaxClient({ endpoints: [daxEndpoint], region: c.region, ...c.creds, ...credsOver, maxRetries: 0 });
    client = { put: (p) => raw.putItem(p).promise(), get: (p) => raw.getItem(p).promise(), close: () => raw.shutdown && raw.shutdown() };
  } else {
    const { Dax } = require('@amazon-dax-sdk/client-dax');
    const raw = new Dax({ endpoints: [daxEndpoint], region: c.region, credentials: { ...c.creds, ...credsOver } });
    client = { put: (p) => raw.putItem(p), get: (p) => raw.getItem(p), close: () => (raw.shutdown ? raw.shutdown() : raw.destroy && raw.destroy()) };
  }
  const t0 = Date.now();
  let err = null; let got = null;
  try {
    await client.put({ TableName: T, Item: Object.assign({ Val: { S: which } }, k) });
    got = await client.get({ TableName: T, Key: k });
  } catch (e) { err = e; }
  try { client.close(); } catch (e) { /* ignore */ }
  return { err, got, ms: Date.now() - t0, key: k };
}

async function directHas(ddb, T, key) {
  const r = await ddb.getItem({ TableName: T, Key: key, ConsistentRead: true });
  return !!r.Item;
}

(async () => {
  const T = 'AuthTest_' + Date.now().toString(36);
  const ddb = c.direct(ddbEndpoint);
  await c.createTable(ddb, T, false);
  const wrongSecret = { secretAccessKey: c.creds.secretAccessKey + '-wrong' };
  const wrongKey = { accessKeyId: 'AKIDNOTDAXLOCAL' };

  if (mode === 'noverify') {
    for (const v of ['v1', 'v3']) {
      const r = await tryClient(v, wrongSecret, T, 'nv-' + v);
      check(!r.err && r.got && r.got.Item && r.got.Item.Val.S === v, `--no-verify-auth: ${v} client with a wrong secret works`, r.err && c.errName(r.err));
      check(await directHas(ddb, T, r.key), `--no-verify-auth: ${v} write reached DynamoDB`);
    }
    const s = await session([{ bytes: defineKeySchema(T), reply: true }]);
    check(s.replies[0] && s.replies[0][0] === 0x80, '--no-verify-auth: a request without authorizeConnection is served', hex(s.replies[0]));
    const st = await stats();
    check(st.auth_refused === 0, `--no-verify-auth: nothing refused (auth_refused ${st.auth_refused})`);
    ddb.destroy();
    console.log(`auth: ${pass} passed, ${fail} failed`);
    process.exit(0);
  }

  // official clients, wrong secret / unknown key id
  const cases = [
    ['wrong secret', wrongSecret, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.'],
    ['unknown access key id', wrongKey, 'UnrecognizedClientException', 'The security token included in the request is invalid.'],
  ];
  for (const v of ['v1', 'v3']) {
    for (const [what, over, name, msg] of cases) {
      const s0 = await stats();
      const id = `bad-${v}-${what.replace(/ /g, '-')}`;
      const r = await tryClient(v, over, T, id);
      const s1 = await stats();
      check(r.err && c.errName(r.err) === name && String(r.err.message).includes(msg),
        `${v} client, ${what}: ${name}`, r.err ? `${c.errName(r.err)}: ${r.err.message}` : 'no error');
      check(r.err && r.err.retryable === false && r.ms < 10000, `${v} client, ${what}: not retried (${r.ms} ms)`, r.err && `retryable ${r.err.retryable}`);
      check(!(await directHas(ddb, T, r.key)), `${v} client, ${what}: nothing written to DynamoDB`);
      check(s1.auth_refused > s0.auth_refused && s1.unauthenticated_requests > s0.unauthenticated_requests,
        `${v} client, ${what}: refusal counted in /stats (auth_refused ${s0.auth_refused} -> ${s1.auth_refused})`);
    }
    const r = await tryClient(v, {}, T, 'good-' + v);
    check(!r.err && r.got && r.got.Item && r.got.Item.Val.S === v, `${v} client, right credentials: put + get work`, r.err && c.errName(r.err));
  }

  // raw frames
  const dks = defineKeySchema(T);
  let s = await session([{ bytes: dks, reply: true }]);
  check(authErr(s.replies[0], 0x21) && has(s.replies[0], 'AuthenticationRequiredException'),
    'never authorised: [4,23,31,33] AuthenticationRequiredException', hex(s.replies[0]));
  s = await session([{ bytes: c.authFrame(), reply: false }, { bytes: dks, reply: true }]);
  check(s.replies[0] && s.replies[0][0] === 0x80, 'authFrame signed in JS: request served', hex(s.replies[0]));
  s = await session([
    { bytes: c.authFrame(wrongSecret), reply: false }, { bytes: dks, reply: true },
    { bytes: dks, reply: true },
    { bytes: c.authFrame(), reply: false }, { bytes: dks, reply: true },
    { bytes: c.authFrame(wrongSecret), reply: false }, { bytes: dks, reply: true },
  ]);
  check(authErr(s.replies[0], 0x20) && has(s.replies[0], 'InvalidSignatureException') && has(s.replies[0], 'does not match'),
    'refused: [4,23,31,32] InvalidSignatureException', hex(s.replies[0]));
  check(authErr(s.replies[1], 0x20), 'refused: every request on the connection gets it, connection open', hex(s.replies[1]));
  check(s.replies[2] && s.replies[2][0] === 0x80, 'refused, then a good authorizeConnection on the same connection: served', hex(s.replies[2]));
  check(authErr(s.replies[3], 0x20) && s.open, 'good, then a bad authorizeConnection: the last one counts; connection stays open', hex(s.replies[3]));
  s = await session([{ bytes: c.authFrame(wrongKey), reply: false }, { bytes: dks, reply: true }]);
  check(authErr(s.replies[0], 0x20) && has(s.replies[0], 'UnrecognizedClientException'), 'unknown key id: UnrecognizedClientException', hex(s.replies[0]));
  s = await session([{ bytes: c.authFrame({ date: new Date(Date.now() - 20 * 60000) }), reply: false }, { bytes: dks, reply: true }]);
  check(authErr(s.replies[0], 0x20) && has(s.replies[0], 'Signature expired: '), 'signed 20 min ago: Signature expired', hex(s.replies[0]));
  s = await session([{ bytes: c.authFrame({ date: new Date(Date.now() - 10 * 60000) }), reply: false }, { bytes: dks, reply: true }]);
  check(s.replies[0] && s.replies[0][0] === 0x80, 'signed 10 min ago: within 15 min, accepted', hex(s.replies[0]));
  s = await session([{ bytes: c.authFrame({ date: new Date(Date.now() + 20 * 60000) }), reply: false }, { bytes: dks, reply: true }]);
  check(authErr(s.replies[0], 0x20) && has(s.replies[0], 'Signature not yet current: '), 'signed 20 min ahead: Signature not yet current', hex(s.replies[0]));
  s = await session([{ bytes: c.authFrame({ region: 'eu-west-1' }), reply: false }, { bytes: dks, reply: true }]);
  check(authErr(s.replies[0], 0x20) && has(s.replies[0], 'InvalidSignatureException'), 'scope for another region: refused', hex(s.replies[0]));
  s = await session([{ bytes: c.authFrame({ sessionToken: 'some-token' }), reply: false }, { bytes: dks, reply: true }]);
  check(authErr(s.replies[0], 0x20) && has(s.replies[0], 'UnrecognizedClientException'), 'session token dax-local does not have: refused', hex(s.replies[0]));
  s = await session([{ bytes: c.authFrame(wrongSecret), reply: false }, { bytes: ENDPOINTS, reply: true }]);
  check(s.replies[0] && s.replies[0][0] === 0x80, 'endpoints is answered even after a refused authorisation (discovery)', hex(s.replies[0]));

  ddb.destroy();
  console.log(`auth: ${pass} passed, ${fail} failed`);
  process.exit(0);
})().catch((e) => { console.log('FAIL auth harness: ' + (e && e.stack || e)); console.log(`auth: ${pass} passed, ${fail + 1} failed`); process.exit(0); });
