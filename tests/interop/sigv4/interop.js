'use strict';
// SigV4 interop: every request in cases.js is signed by dynagen's signer
// (the sigv4_sign helper binary, path in argv[2]) and by the AWS SDK for
// JavaScript's signer, @smithy/signature-v4 (pinned in package.json), and the
// Authorization headers (plus X-Amz-Date, X-Amz-Security-Token and, when
// asked, X-Amz-Content-Sha256) must be equal byte for byte.
// Last line: "sigv4-interop: N passed, M failed".
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const path = require('node:path');

const root = path.resolve(__dirname, '../../..');
const { SignatureV4 } = require(path.join(root, 'node_modules/@smithy/signature-v4'));
const cases = require('./cases.js');

// The hash/HMAC constructor smithy expects (what @smithy/hash-node does), on node:crypto.
class Sha256 {
  constructor(secret) {
    this.h = secret === undefined ? crypto.createHash('sha256') : crypto.createHmac('sha256', toBuf(secret));
  }
  update(data) { this.h.update(toBuf(data)); }
  digest() { return Promise.resolve(new Uint8Array(this.h.digest())); }
}
function toBuf(x) {
  if (typeof x === 'string') return Buffer.from(x, 'utf8');
  return Buffer.from(x.buffer ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : x);
}

// The raw query as smithy wants it: decoded keys and values, repeated keys as arrays.
function parseQuery(raw) {
  const q = {};
  for (const piece of raw.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? piece : piece.slice(0, eq));
    const v = eq < 0 ? '' : decodeURIComponent(piece.slice(eq + 1));
    if (k in q) q[k] = [].concat(q[k], v);
    else q[k] = v;
  }
  return q;
}

async function smithySign(tc) {
  // One value per name in smithy: a repeated header is passed pre-joined, each
  // value trimmed, as SigV4 joins them; a single value goes through untouched.
  const byName = {};
  for (const [n, v] of tc.headers) (byName[n] ??= []).push(v);
  const headers = {};
  for (const [n, vs] of Object.entries(byName)) {
    headers[n] = vs.length === 1 ? vs[0] : vs.map((v) => v.replace(/[ \t]+/g, ' ').replace(/^ | $/g, '')).join(',');
  }
  const host = tc.headers.find(([n]) => n.toLowerCase() === 'host')[1];
  const signer = new SignatureV4({
    credentials: { accessKeyId: tc.akid, secretAccessKey: tc.secret, ...(tc.token ? { sessionToken: tc.token } : {}) },
    region: tc.region,
    service: tc.service,
    sha256: Sha256,
    applyChecksum: tc.content_sha256,
  });
  const body = tc.body_hex ? Buffer.from(tc.body_hex, 'hex') : undefined;
  const signed = await signer.sign(
    { method: tc.method, protocol: 'https:', hostname: host, path: tc.path, query: parseQuery(tc.query), headers, body },
    { signingDate: new Date(tc.time * 1000) },
  );
  const h = {};
  for (const [k, v] of Object.entries(signed.headers)) h[k.toLowerCase()] = v;
  return h;
}

async function main() {
  const helper = process.argv[2];
  if (!helper) throw new Error('usage: node interop.js <path to sigv4_sign>');
  const input = cases.map((tc) => JSON.stringify(tc)).join('\n') + '\n';
  const run = spawnSync(helper, [], { input, maxBuffer: 64 << 20 });
  if (run.error) throw run.error;
  if (run.status !== 0) process.stderr.write(run.stderr);
  const outs = run.stdout.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  let pass = 0, fail = 0;
  let lastDerivations = 0, derivationsSeen = [];
  for (let i = 0; i < cases.length; i++) {
    const tc = cases[i], got = outs[i];
    const problems = [];
    if (!got || got.name !== tc.name) {
      problems.push(`no answer from the helper (got ${JSON.stringify(got)})`);
    } else if (got.rc !== 0) {
      problems.push(`dynagen failed: rc ${got.rc}: ${got.error}`);
    } else {
      const want = await smithySign(tc);
      const cmp = (what, a, b) => { if (a !== b) problems.push(`${what}\n       dynagen: ${a}\n       smithy:  ${b}`); };
      cmp('Authorization', got.authorization, want.authorization);
      cmp('X-Amz-Date', got.amz_date, want['x-amz-date']);
      cmp('X-Amz-Security-Token', got.security_token ?? undefined, want['x-amz-security-token']);
      if (tc.content_sha256) cmp('X-Amz-Content-Sha256', got.payload_hash, want['x-amz-content-sha256']);
      derivationsSeen.push([tc.name, got.key_derivations - lastDerivations]);
      lastDerivations = got.key_derivations;
    }
    if (problems.length) { fail++; console.log(`FAIL ${tc.name}\n     ${problems.join('\n     ')}`); }
    else { pass++; console.log(`ok   ${tc.name}`); }
  }
  // The key cache: the second of two same-day requests with the same scope
  // reuses the key; the first request after midnight derives a new one.
  const d = Object.fromEntries(derivationsSeen);
  const cacheChecks = [
    ['cache: same scope, same day reuses the key', d['ddb-getitem-session-token-content-sha256'] === 0],
    ['cache: midnight re-derives the key', d['midnight-after'] === 1],
  ];
  for (const [what, ok] of cacheChecks) {
    if (ok) { pass++; console.log(`ok   ${what}`); } else { fail++; console.log(`FAIL ${what}: ${JSON.stringify(d)}`); }
  }
  if (outs.length !== cases.length) { fail++; console.log(`FAIL helper answered ${outs.length} of ${cases.length} cases`); }
  console.log(`sigv4-interop: ${pass} passed, ${fail} failed`);
  process.exitCode = fail ? 1 : 0;
}

main().catch((e) => {
  console.log(`FAIL ${e.stack || e}`);
  console.log('sigv4-interop: 0 passed, 1 failed');
  process.exitCode = 1;
});
