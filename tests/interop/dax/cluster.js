'use strict';
// dax-local --nodes 3: every node answers endpoints with all three, and the
// official client works when seeded with any one of them.
// usage: node cluster.js DDB_ENDPOINT HOST PORT1,PORT2,...
const net = require('net');
const crypto = require('crypto');
const c = require('./common');

const [ddbEndpoint, host, portList] = process.argv.slice(2);
const nodePorts = portList.split(',').map(Number);
const nodes = nodePorts.length;
let pass = 0; let fail = 0;
function check(cond, name, detail) {
  if (cond) { pass++; console.log(`ok   cluster ${name}`); } else { fail++; console.log(`FAIL cluster ${name}${detail ? ': ' + detail : ''}`); }
}
const preamble = Buffer.concat([Buffer.from('674a37796e65354700', 'hex'), Buffer.from([0x50]), crypto.randomBytes(16),
  Buffer.from('a169557365724167656e74', 'hex'), Buffer.from([0x72]), Buffer.from('DaxJSClient-1.2.10'), Buffer.from([0x00])]);

function endpoints(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, host, () => s.write(Buffer.concat([preamble, Buffer.from('011a1b2bcf02', 'hex')])));
    let got = Buffer.alloc(0);
    const t = setTimeout(() => { s.destroy(); resolve(got); }, 5000);
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      // done once every node's port is in the answer
      if (nodePorts.every((p) => got.includes(Buffer.from([0x03, 0x19, p >> 8, p & 0xff])))) { clearTimeout(t); s.destroy(); resolve(got); }
    });
    s.on('error', () => { clearTimeout(t); resolve(got); });
  });
}

(async () => {
  for (let i = 0; i < nodes; i++) {
    const r = await endpoints(nodePorts[i]);
    // 80, array header of `nodes` maps, each with the node's port (3: 19 xxxx)
    const ports = [];
    for (let k = 0; k < nodes; k++) {
      const p = nodePorts[k];
      if (r.includes(Buffer.from([0x03, 0x19, p >> 8, p & 0xff]))) ports.push(p);
    }
    check(r[0] === 0x80 && r[1] === 0x80 + nodes && ports.length === nodes, `node ${i + 1} answers endpoints with all ${nodes} nodes`, r.toString('hex').slice(0, 60));
  }
  const ddb = c.direct(ddbEndpoint);
  const CT = 'ClusterTest_' + Date.now().toString(36);
  await c.createTable(ddb, CT, false);
  for (let i = 0; i < nodes; i++) {
    const dax = c.daxV3(`${host}:${nodePorts[i]}`);
    const k = { ProductID: { S: 'N' + i }, Version: { N: '1' } };
    try {
      await dax.putItem({ TableName: CT, Item: k });
      const r = await dax.getItem({ TableName: CT, Key: k });
      check(r.Item && r.Item.ProductID.S === 'N' + i, `official client seeded with node ${i + 1} works`);
    } catch (e) {
      check(false, `official client seeded with node ${i + 1} works`, c.errName(e));
    }
    dax.close();
  }
  ddb.destroy();
  console.log(`cluster: ${pass} passed, ${fail} failed`);
  process.exit(0);
})().catch((e) => { console.log('FAIL cluster harness: ' + (e && e.stack || e)); process.exit(0); });
