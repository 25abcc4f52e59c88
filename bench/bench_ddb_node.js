'use strict';
// bench-ddb, Node side: GetItem and PutItem through @aws-sdk/client-dynamodb
// v3 (pinned in package.json) with keep-alive (NodeHttpHandler over an
// http.Agent({ keepAlive: true, maxSockets: 1 }): one reused connection, like
// dynagen's client), against the same DynamoDB Local, table and items.
//
//   node bench/bench_ddb_node.js TABLE ITEM_FILE N WARMUP
//
// ITEM_FILE: the item's DynamoDB JSON without the key (bench_ddb --emit):
// the SDK takes that AttributeValue shape as is. KEYS keys (ProductID
// "bench-<k>", Version 0); WARMUP PutItems then WARMUP GetItems, then N
// measured PutItems and N measured GetItems of key i % KEYS, sequentially.
// Client CPU from process.cpuUsage() (user + system of this process only);
// latency from process.hrtime. Prints, like bench_ddb:
//   result <op> <n> <cpu_us_per_req> <p50_us> <p99_us> <wall_s> <user_us_per_req> <sys_us_per_req>
const fs = require('fs');
const http = require('http');
const path = require('path');

const nm = path.join(__dirname, '..', 'node_modules');
const { DynamoDBClient, PutItemCommand, GetItemCommand } = require(path.join(nm, '@aws-sdk', 'client-dynamodb'));
const { NodeHttpHandler } = require(path.join(nm, '@smithy', 'node-http-handler'));

const KEYS = 100;

function pct(v, p) {
  const s = Float64Array.from(v).sort();
  return s[Math.round(p * (s.length - 1))];
}

async function main() {
  const [table, itemFile, nArg, warmArg] = process.argv.slice(2);
  const n = parseInt(nArg, 10);
  const warmup = parseInt(warmArg, 10);
  if (!table || !itemFile || !(n > 0) || !(warmup >= 0)) {
    console.error('usage: node bench/bench_ddb_node.js TABLE ITEM_FILE N WARMUP');
    process.exit(2);
  }
  const body = JSON.parse(fs.readFileSync(itemFile, 'utf8'));
  const keys = [];
  const items = [];
  for (let k = 0; k < KEYS; k++) {
    const key = { ProductID: { S: `bench-${String(k).padStart(3, '0')}` }, Version: { N: '0' } };
    keys.push(key);
    items.push({ ...key, ...body });
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const client = new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: process.env.AWS_REGION,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    },
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  });
  const ops = [
    ['PutItem', (i) => client.send(new PutItemCommand({ TableName: table, Item: items[i % KEYS] }))],
    ['GetItem', async (i) => {
      const r = await client.send(new GetItemCommand({ TableName: table, Key: keys[i % KEYS] }));
      if (!r.Item) throw new Error(`item ${i % KEYS} missing`);
      return r;
    }],
  ];
  for (const phase of [0, 1]) {
    for (const [name, fn] of ops) {
      const count = phase === 0 ? warmup : n;
      const lat = new Float64Array(phase ? n : 0);
      const c0 = process.cpuUsage();
      const w0 = process.hrtime.bigint();
      for (let i = 0; i < count; i++) {
        const t0 = phase ? process.hrtime.bigint() : 0n;
        await fn(i);
        if (phase) lat[i] = Number(process.hrtime.bigint() - t0) / 1e3;
      }
      if (phase) {
        const c = process.cpuUsage(c0);
        const wall = Number(process.hrtime.bigint() - w0) / 1e9;
        const cpu = (c.user + c.system) / n;
        console.log(`result ${name} ${n} ${cpu.toFixed(3)} ${pct(lat, 0.5).toFixed(1)} ${pct(lat, 0.99).toFixed(1)} ${wall.toFixed(3)} ${(c.user / n).toFixed(3)} ${(c.system / n).toFixed(3)}`);
      }
    }
  }
  console.log(`info sockets_created ${agent.totalSocketCount ?? 'n/a'}`);
  client.destroy();
  agent.destroy();
}

main().catch((e) => {
  console.error(`bench_ddb_node: ${e.stack || e}`);
  process.exit(1);
});
