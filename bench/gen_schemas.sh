#!/usr/bin/env bash
# Write N synthetic, valid table models into DIR (bench-generate input).
#
#   bash bench/gen_schemas.sh N DIR
#
# Each model: ~16 attributes of most types (string set, number set, list,
# map, decimal, timestamps, ttl, a nested object with a nested object),
# composite key, versioning, two GSIs, a DAX cache, the api section and
# three environments. Table i is "BenchTable0001"..., entity "bench_t0001"...
set -euo pipefail
N=${1:?usage: gen_schemas.sh N DIR}
DIR=${2:?usage: gen_schemas.sh N DIR}
mkdir -p "$DIR"

for ((i = 1; i <= N; i++)); do
  id=$(printf '%04d' "$i")
  cat >"$DIR/bench_t$id.yaml" <<EOF
# Synthetic bench-generate model $id.
table: BenchTable$id
entity: bench_t$id
description: Synthetic table $id for the generator benchmark.

keys:
  partition: item_id
  sort: version

attributes:
  item_id:     { name: ItemID, type: string, generate: uuid, description: Identifier. }
  version:     { name: Version, type: int64, generate: version }
  title:       { name: Title, type: string, required: true, min_length: 1, max_length: 200 }
  notes:       { name: Notes, type: string, max_length: 4000 }
  group:       { name: Group, type: string, required: true, pattern: "^[a-z0-9-]{1,64}$" }
  amount:      { name: Amount, type: decimal, scale: 2, min: 0, max: 1000000000, required: true }
  unit:        { name: Unit, type: string, enum: [EUR, USD, GBP], default: EUR }
  count:       { name: Count, type: int32, min: 0, default: 0 }
  ratio:       { name: Ratio, type: double, min: 0, max: 1 }
  enabled:     { name: Enabled, type: bool, default: true }
  labels:      { name: Labels, type: string_set, max_items: 32, items: { max_length: 64 } }
  scores:      { name: Scores, type: number_set, max_items: 16 }
  history:     { name: History, type: list, items: int64, max_items: 100 }
  attrs:       { name: Attrs, type: map, values: { type: string, max_length: 500 }, max_items: 64 }
  owner:
    name: Owner
    type: object
    fields:
      name:    { type: string, required: true, max_length: 80 }
      email:   { type: string, pattern: "^[^@ ]+@[^@ ]+$" }
      address:
        type: object
        fields:
          city:  { type: string }
          zip:   { type: string, max_length: 10 }
  created_at:  { name: CreatedAt, type: timestamp, generate: created }
  updated_at:  { name: UpdatedAt, type: timestamp, generate: updated }
  expires_at:  { name: ExpiresAt, type: ttl }

ttl: expires_at
versioning: { sort_key: version, current: 0 }

indexes:
  ByGroup:   { type: global, partition: group, sort: amount, projection: all }
  ByOwner:   { type: global, partition: title, sort: created_at, projection: include, include: [amount, labels] }

cache: { reads: dax, writes: dax, item_ttl: 5m, query_ttl: 60s }

api:
  path: /bench-t$id
  operations: [create, get, update, delete, list, versions, get_version]
  list_by: ByGroup
  page_size: { default: 20, max: 100 }

environments:
  dev:
    billing: on_demand
    pitr: false
    dax: { node_type: dax.t3.small, nodes: 1, tls: false }
  staging:
    billing: on_demand
    pitr: true
    dax: { node_type: dax.r5.large, nodes: 2, tls: true }
  prod:
    billing: provisioned
    read_capacity: 50
    write_capacity: 25
    autoscaling: { min: 25, max: 500, target_utilization: 70 }
    pitr: true
    deletion_protection: true
    dax: { node_type: dax.r5.large, nodes: 3, tls: true }
EOF
done
