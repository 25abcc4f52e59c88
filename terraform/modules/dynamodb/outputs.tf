output "table_name" {
  description = "Name of the table."
  value       = local.table.name
}

output "table_arn" {
  description = "ARN of the table (in this region)."
  value       = local.table.arn
}

output "table_id" {
  description = "ID of the table."
  value       = local.table.id
}

output "index_names" {
  description = "Names of the table's secondary indexes, global then local."
  value       = concat([for i in var.global_secondary_indexes : i.name], [for i in var.local_secondary_indexes : i.name])
}

output "index_arns" {
  description = "ARN of each secondary index (for IAM resources: <table arn>/index/<name>)."
  value       = [for n in concat([for i in var.global_secondary_indexes : i.name], [for i in var.local_secondary_indexes : i.name]) : "${local.table.arn}/index/${n}"]
}

output "stream_arn" {
  description = "ARN of the table's stream; null when streams are off."
  value       = local.stream_enabled ? local.table.stream_arn : null
}

output "replica_regions" {
  description = "Regions holding a replica of this global table (empty: single region)."
  value       = var.replica_regions
}

output "autoscaling_target_ids" {
  description = "Application Auto Scaling targets, keyed \"table:read\", \"index:<name>:write\", ..."
  value       = { for k, t in aws_appautoscaling_target.this : k => t.id }
}

output "hash_key" {
  description = "Partition key of the table, as planned."
  value       = local.table.hash_key
}

output "range_key" {
  description = "Sort key of the table (null when none), as planned."
  value       = local.table.range_key
}

output "attributes" {
  description = "Attribute definitions of the table, as planned."
  value       = [for a in local.table.attribute : { name = a.name, type = a.type }]
}

output "ttl_attribute_name" {
  description = "TTL attribute of the table; null when TTL is off."
  value       = try(one([for t in local.table.ttl : t.attribute_name if t.enabled]), null)
}

output "global_secondary_indexes" {
  description = "Global secondary indexes of the table, as planned (name, keys, projection)."
  value = [
    for i in local.table.global_secondary_index : {
      name               = i.name
      hash_key           = i.hash_key
      range_key          = i.range_key
      projection_type    = i.projection_type
      non_key_attributes = i.non_key_attributes
    }
  ]
}

output "local_secondary_indexes" {
  description = "Local secondary indexes of the table, as planned."
  value = [
    for i in local.table.local_secondary_index : {
      name               = i.name
      range_key          = i.range_key
      projection_type    = i.projection_type
      non_key_attributes = i.non_key_attributes
    }
  ]
}

output "billing_mode" {
  description = "Billing mode of the table."
  value       = local.table.billing_mode
}

output "read_capacity" {
  description = "Provisioned read capacity (null on demand)."
  value       = local.table.read_capacity
}

output "write_capacity" {
  description = "Provisioned write capacity (null on demand)."
  value       = local.table.write_capacity
}

output "autoscaled" {
  description = "Whether Application Auto Scaling manages the capacity."
  value       = local.autoscaled
}

output "point_in_time_recovery_enabled" {
  description = "Whether point-in-time recovery is on."
  value       = one(local.table.point_in_time_recovery).enabled
}

output "deletion_protection_enabled" {
  description = "Whether deletion protection is on."
  value       = local.table.deletion_protection_enabled
}

output "server_side_encryption_enabled" {
  description = "Whether the table is encrypted with a KMS key (AWS managed or customer managed)."
  value       = one(local.table.server_side_encryption).enabled
}

output "stream_view_type" {
  description = "Stream view type; null when streams are off."
  value       = local.stream_view_type
}
