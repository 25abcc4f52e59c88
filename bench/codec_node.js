'use strict';
// bench-codec, Node side: the same DynamoDB JSON bytes through
// @aws-sdk/util-dynamodb (pinned in package.json) and the built-in JSON.
//
//   node bench/codec_node.js FILE [--rounds N] [--round-ms MS] [--warmup-ms MS]
//
// Kinds (one item each):
//   roundtrip  unmarshall(JSON.parse(text)) then JSON.stringify(marshall(obj))
//   unmarshal  unmarshall(JSON.parse(text))
//   marshal    JSON.stringify(marshall(obj))
// Prints "round <kind> <items_per_second>" per round and "checksum <n>",
// the same protocol as bench_codec.
const fs = require('fs');
const path = require('path');

let util;
try {
  util = require(path.join(__dirname, '..', 'node_modules', '@aws-sdk', 'util-dynamodb'));
} catch (e) {
  console.error('codec_node: @aws-sdk/util-dynamodb is not installed (run: bash scripts/deps.sh)');
  process.exit(2);
}
const { marshall, unmarshall } = util;

const args = process.argv.slice(2);
let file = null;
let rounds = 5;
let roundMs = 300;
let warmupMs = 200;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--rounds') rounds = Math.max(1, parseInt(args[++i], 10));
  else if (a === '--round-ms') roundMs = Number(args[++i]);
  else if (a === '--warmup-ms') warmupMs = Number(args[++i]);
  else if (!file) file = a;
  else {
    console.error('usage: node bench/codec_node.js FILE [--rounds N] [--round-ms MS] [--warmup-ms MS]');
    process.exit(2);
  }
}
if (!file) {
  console.error('codec_node: need the DynamoDB JSON file written by bench_codec --emit');
  process.exit(2);
}

const text = fs.readFileSync(file, 'utf8');
// marshall options: only what a typical service passes; the item has no
// undefined values and no class instances, so the defaults behave the same.
const MOPTS = { removeUndefinedValues: true };
const fixed = unmarshall(JSON.parse(text));

let acc = 0;
const kinds = {
  roundtrip() {
    const obj = unmarshall(JSON.parse(text));
    const out = JSON.stringify(marshall(obj, MOPTS));
    acc = (acc + out.length + out.charCodeAt(out.length >> 1)) | 0;
  },
  unmarshal() {
    const obj = unmarshall(JSON.parse(text));
    acc = (acc + obj.Name.length + obj.Tags.size + obj.Price + obj.Dimensions.width_mm) | 0;
  },
  marshal() {
    const out = JSON.stringify(marshall(fixed, MOPTS));
    acc = (acc + out.length + out.charCodeAt(out.length >> 1)) | 0;
  },
};

function runFor(fn, ms) {
  const limit = BigInt(Math.round(ms * 1e6));
  const t0 = process.hrtime.bigint();
  let n = 0;
  let t;
  do {
    for (let i = 0; i < 64; i++) fn();
    n += 64;
    t = process.hrtime.bigint() - t0;
  } while (t < limit);
  return (n * 1e9) / Number(t);
}

const reencoded = JSON.stringify(marshall(fixed, MOPTS));
console.log(`info node_reencode_identical ${reencoded === text ? 'yes' : 'no'}`);

const order = ['roundtrip', 'unmarshal', 'marshal'];
// Warm up long enough for the JIT to reach its optimised tiers.
for (const k of order) runFor(kinds[k], warmupMs);
for (let r = 0; r < rounds; r++) {
  for (const k of order) console.log(`round ${k} ${Math.round(runFor(kinds[k], roundMs))}`);
}
console.log(`checksum ${acc >>> 0}`);
