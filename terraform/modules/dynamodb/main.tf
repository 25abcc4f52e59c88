# One DynamoDB table from the model dynagen generates (keys, attributes,
# indexes, TTL, billing and protection settings of one environment).
#
# Two resource blocks, as in terraform-aws-modules/dynamodb-table: with
# autoscaling, the table's capacity belongs to Application Auto Scaling and
# Terraform must ignore it (`ignore_changes` cannot be conditional). Turning
# autoscaling on or off for an existing table therefore needs a
# `terraform state mv` between `this[0]` and `autoscaled[0]` (README).
# GSI capacities stay managed in both, so a new GSI from the schema always
# reaches the table; an apply resets an autoscaled GSI to the base capacity
# until autoscaling raises it again (README, "Provisioned capacity").

locals {
  provisioned  = var.billing_mode == "PROVISIONED"
  autoscaled   = local.provisioned && var.autoscaling.enabled
  global_table = length(var.replica_regions) > 0

  # Global tables (2019.11.21) replicate through a stream of new and old images.
  stream_enabled   = var.stream_enabled || local.global_table
  stream_view_type = local.stream_enabled ? (local.global_table ? "NEW_AND_OLD_IMAGES" : var.stream_view_type) : null

  attribute_names = [for a in var.attributes : a.name]
  key_attributes = distinct(compact(concat(
    [var.hash_key, var.range_key],
    flatten([for i in var.global_secondary_indexes : [i.hash_key, i.range_key]]),
    [for i in var.local_secondary_indexes : i.range_key],
  )))

  table = local.autoscaled ? aws_dynamodb_table.autoscaled[0] : aws_dynamodb_table.this[0]
}

resource "aws_dynamodb_table" "this" {
  count = local.autoscaled ? 0 : 1

  name                        = var.name
  billing_mode                = var.billing_mode
  read_capacity               = local.provisioned ? var.read_capacity : null
  write_capacity              = local.provisioned ? var.write_capacity : null
  hash_key                    = var.hash_key
  range_key                   = var.range_key
  table_class                 = var.table_class
  deletion_protection_enabled = var.deletion_protection_enabled
  stream_enabled              = local.stream_enabled
  stream_view_type            = local.stream_view_type

  dynamic "attribute" {
    for_each = var.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.global_secondary_indexes
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.projection_type == "INCLUDE" ? global_secondary_index.value.non_key_attributes : null
      read_capacity      = local.provisioned ? var.read_capacity : null
      write_capacity     = local.provisioned ? var.write_capacity : null
    }
  }

  dynamic "local_secondary_index" {
    for_each = var.local_secondary_indexes
    content {
      name               = local_secondary_index.value.name
      range_key          = local_secondary_index.value.range_key
      projection_type    = local_secondary_index.value.projection_type
      non_key_attributes = local_secondary_index.value.projection_type == "INCLUDE" ? local_secondary_index.value.non_key_attributes : null
    }
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute_name == null ? [] : [var.ttl_attribute_name]
    content {
      enabled        = true
      attribute_name = ttl.value
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery_enabled
  }

  server_side_encryption {
    enabled     = var.server_side_encryption_enabled
    kms_key_arn = var.server_side_encryption_enabled ? var.server_side_encryption_kms_key_arn : null
  }

  dynamic "replica" {
    for_each = var.replica_regions
    content {
      region_name            = replica.value
      kms_key_arn            = lookup(var.replica_kms_key_arns, replica.value, null)
      point_in_time_recovery = var.point_in_time_recovery_enabled
      propagate_tags         = true
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(setsubtract(local.key_attributes, local.attribute_names)) == 0 && length(setsubtract(local.attribute_names, local.key_attributes)) == 0
      error_message = "attributes must list exactly the key attributes of the table and its indexes."
    }
    precondition {
      condition     = !local.global_table || !local.provisioned || var.autoscaling.enabled
      error_message = "A provisioned global table needs write capacity auto scaling (set autoscaling.enabled) or PAY_PER_REQUEST."
    }
    precondition {
      condition     = !local.global_table || !var.stream_enabled || var.stream_view_type == "NEW_AND_OLD_IMAGES"
      error_message = "Global tables (replica_regions) require stream_view_type NEW_AND_OLD_IMAGES."
    }
  }
}

resource "aws_dynamodb_table" "autoscaled" {
  count = local.autoscaled ? 1 : 0

  name                        = var.name
  billing_mode                = var.billing_mode
  read_capacity               = var.read_capacity
  write_capacity              = var.write_capacity
  hash_key                    = var.hash_key
  range_key                   = var.range_key
  table_class                 = var.table_class
  deletion_protection_enabled = var.deletion_protection_enabled
  stream_enabled              = local.stream_enabled
  stream_view_type            = local.stream_view_type

  dynamic "attribute" {
    for_each = var.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.global_secondary_indexes
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.projection_type == "INCLUDE" ? global_secondary_index.value.non_key_attributes : null
      read_capacity      = var.read_capacity
      write_capacity     = var.write_capacity
    }
  }

  dynamic "local_secondary_index" {
    for_each = var.local_secondary_indexes
    content {
      name               = local_secondary_index.value.name
      range_key          = local_secondary_index.value.range_key
      projection_type    = local_secondary_index.value.projection_type
      non_key_attributes = local_secondary_index.value.projection_type == "INCLUDE" ? local_secondary_index.value.non_key_attributes : null
    }
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute_name == null ? [] : [var.ttl_attribute_name]
    content {
      enabled        = true
      attribute_name = ttl.value
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery_enabled
  }

  server_side_encryption {
    enabled     = var.server_side_encryption_enabled
    kms_key_arn = var.server_side_encryption_enabled ? var.server_side_encryption_kms_key_arn : null
  }

  dynamic "replica" {
    for_each = var.replica_regions
    content {
      region_name            = replica.value
      kms_key_arn            = lookup(var.replica_kms_key_arns, replica.value, null)
      point_in_time_recovery = var.point_in_time_recovery_enabled
      propagate_tags         = true
    }
  }

  tags = var.tags

  lifecycle {
    # Application Auto Scaling owns the table's capacity from here on.
    ignore_changes = [read_capacity, write_capacity]

    precondition {
      condition     = length(setsubtract(local.key_attributes, local.attribute_names)) == 0 && length(setsubtract(local.attribute_names, local.key_attributes)) == 0
      error_message = "attributes must list exactly the key attributes of the table and its indexes."
    }
    precondition {
      condition     = !local.global_table || !var.stream_enabled || var.stream_view_type == "NEW_AND_OLD_IMAGES"
      error_message = "Global tables (replica_regions) require stream_view_type NEW_AND_OLD_IMAGES."
    }
  }
}

# ---- auto scaling (PROVISIONED + autoscaling.enabled) -----------------------

locals {
  # Static keys: "table:read", "index:CategoryIndex:write", ...
  scaling_targets = local.autoscaled ? merge(
    {
      for dim in ["read", "write"] : "table:${dim}" => {
        resource_id = "table/${var.name}"
        dimension   = "dynamodb:table:${dim == "read" ? "Read" : "Write"}CapacityUnits"
        metric      = "DynamoDB${dim == "read" ? "Read" : "Write"}CapacityUtilization"
      }
    },
    merge([
      for i in var.global_secondary_indexes : {
        for dim in ["read", "write"] : "index:${i.name}:${dim}" => {
          resource_id = "table/${var.name}/index/${i.name}"
          dimension   = "dynamodb:index:${dim == "read" ? "Read" : "Write"}CapacityUnits"
          metric      = "DynamoDB${dim == "read" ? "Read" : "Write"}CapacityUtilization"
        }
      }
    ]...),
  ) : {}
}

resource "aws_appautoscaling_target" "this" {
  for_each = local.scaling_targets

  service_namespace  = "dynamodb"
  resource_id        = each.value.resource_id
  scalable_dimension = each.value.dimension
  min_capacity       = var.autoscaling.min_capacity
  max_capacity       = var.autoscaling.max_capacity
  tags               = var.tags

  depends_on = [aws_dynamodb_table.autoscaled]
}

resource "aws_appautoscaling_policy" "this" {
  for_each = local.scaling_targets

  name               = "${var.name}-${replace(each.key, ":", "-")}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = var.autoscaling.target_utilization

    predefined_metric_specification {
      predefined_metric_type = each.value.metric
    }
  }
}
