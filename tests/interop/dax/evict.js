'use strict';
// LRU eviction: dax-local --max-items 3; five items written through DAX
// leave three in the item cache (2 evictions), the oldest reads as a miss.
// usage: node evict.js DDB_ENDPOINT DAX_ENDPOINT STATS_URL
const c = require('./common');

const [ddbEndpoint, daxEndpoint, statsUrl] = process.argv.slice(2);
let pass = 0; let fail = 0;
function check(cond, name, detail) {
  if (cond) { pass++; console.log(`ok   evict ${name}`); } else { fail++; console.log(`FAIL evict ${name}${detail ? ': ' + detail : ''}`); }
}
(async () => {
  const T = 'EvictTest_' + Date.now().toString(36);
  const ddb = c.direct(ddbEndpoint);
  await c.createTable(ddb, T, false);
  const dax = c.daxV3(daxEndpoint);
  const key = (i) => ({ ProductID: { S: 'E' + i }, Version: { N: '1' } });
  const s0 = (await c.getJSON(statsUrl)).item_cache;
  for (let i = 1; i <= 5; i++) await dax.putItem({ TableName: T, Item: Object.assign({ V: { N: String(i) } }, key(i)) });
  const s1 = (await c.getJSON(statsUrl)).item_cache;
  check(s1.evictions - s0.evictions === 2 && s1.entries === 3, `--max-items 3: 5 writes -> 2 evictions, 3 entries`, JSON.stringify(s1));
  await dax.getItem({ TableName: T, Key: key(5) });
  await dax.getItem({ TableName: T, Key: key(1) });
  const s2 = (await c.getJSON(statsUrl)).item_cache;
  check(s2.hits - s1.hits === 1 && s2.misses - s1.misses === 1, 'newest entry hits, evicted (least recently used) entry misses', JSON.stringify(s2));
  dax.close();
  ddb.destroy();
  console.log(`evict: ${pass} passed, ${fail} failed`);
  process.exit(0);
})().catch((e) => { console.log('FAIL evict harness: ' + (e && e.stack || e)); process.exit(0); });
