'use strict';
// bench-dax, the Node side (bench/dax.sh drives it).
//
//   node bench_dax_node.js setup DDB_ENDPOINT TABLE ITEM_FILE
//       creates TABLE (ProductID S hash, Version N range) in DynamoDB Local
//       and puts the item (DynamoDB JSON, no binary) straight there.
//   node bench_dax_node.js v3|v1 DAX_HOST:PORT TABLE KEY_FILE N WARMUP
//       v3: @amazon-dax-sdk/client-dax 3.x, v1: amazon-dax-client 1.2.x,
//       configured as tests/interop/dax/common.js does; one GetItem (the
//       first call: discovery, connect, auth), WARMUP GetItems, then N
//       sequential awaited GetItems of the same key, timed with
//       process.hrtime.bigint().
//
// Prints (the protocol of bench/bench_dax.c):
//   first <us>
//   result <name> <n> <p50_us> <p99_us> <req_per_s> <mean_us>
const fs = require('fs');
const c = require('../tests/interop/dax/common');

function pct(sorted, p) {
  const i = Math.ceil(p * sorted.length) - 1;
  return sorted[Math.max(0, i)];
}

async function setup(ddbEndpoint, table, itemFile) {
  const ddb = c.direct(ddbEndpoint);
  await c.createTable(ddb, table, false);
  for (let i = 0; i < 100; i++) { // DynamoDB Local creates tables at once; be safe
    const d = await ddb.describeTable({ TableName: table });
    if (d.Table.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await ddb.putItem({ TableName: table, Item: JSON.parse(fs.readFileSync(itemFile, 'utf8')) });
  ddb.destroy();
}

async function bench(which, daxEndpoint, table, keyFile, n, warmup) {
  const client = which === 'v3' ? c.daxV3(daxEndpoint) : c.daxV1(daxEndpoint);
  const name = which === 'v3' ? 'official-3.x' : 'official-1.2.x';
  const params = { TableName: table, Key: JSON.parse(fs.readFileSync(keyFile, 'utf8')) };
  const get = async () => {
    const r = await client.getItem(params);
    if (!r || !r.Item) throw new Error('GetItem: the item is not there');
  };
  let t = process.hrtime.bigint();
  await get();
  console.log(`first ${(Number(process.hrtime.bigint() - t) / 1e3).toFixed(1)}`);
  for (let i = 0; i < warmup; i++) await get();
  const lat = new Float64Array(n);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    t = process.hrtime.bigint();
    await get();
    lat[i] = Number(process.hrtime.bigint() - t) / 1e3;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  const mean = lat.reduce((a, b) => a + b, 0) / n;
  lat.sort();
  console.log(`result ${name} ${n} ${pct(lat, 0.5).toFixed(1)} ${pct(lat, 0.99).toFixed(1)} ` +
    `${(n / (wall / 1e6)).toFixed(0)} ${mean.toFixed(1)}`);
  client.close();
}

async function main() {
  const [mode, ...a] = process.argv.slice(2);
  if (mode === 'setup') return setup(a[0], a[1], a[2]);
  if (mode === 'v3' || mode === 'v1') {
    return bench(mode, a[0], a[1], a[2], Math.max(1, parseInt(a[3], 10)), parseInt(a[4], 10) || 0);
  }
  throw new Error('usage: bench_dax_node.js setup|v3|v1 ...');
}

main().then(() => process.exit(0), (e) => {
  console.error('bench_dax_node:', e && e.stack || e);
  process.exit(1);
});
