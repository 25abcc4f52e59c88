# Plans the table module with a mock AWS provider: keys, indexes, TTL,
# billing, auto scaling, global tables, and the checks on bad input.

mock_provider "aws" {}

variables {
  name      = "test-Products"
  hash_key  = "ProductID"
  range_key = "Version"
  attributes = [
    { name = "Category", type = "S" },
    { name = "Price", type = "N" },
    { name = "ProductID", type = "S" },
    { name = "Version", type = "N" },
  ]
  ttl_attribute_name = "ExpiresAt"
  global_secondary_indexes = [{
    name               = "CategoryIndex"
    hash_key           = "Category"
    range_key          = "Price"
    projection_type    = "ALL"
    non_key_attributes = []
  }]
}

run "on_demand_table" {
  command = plan

  assert {
    condition     = length(aws_dynamodb_table.this) == 1 && length(aws_dynamodb_table.autoscaled) == 0
    error_message = "An on-demand table is the plain (not autoscaled) resource."
  }

  assert {
    condition     = aws_dynamodb_table.this[0].hash_key == "ProductID" && aws_dynamodb_table.this[0].range_key == "Version"
    error_message = "Keys are ProductID / Version."
  }

  assert {
    condition     = { for a in aws_dynamodb_table.this[0].attribute : a.name => a.type } == { Category = "S", Price = "N", ProductID = "S", Version = "N" }
    error_message = "Attribute definitions are the four key attributes."
  }

  assert {
    condition     = one(aws_dynamodb_table.this[0].ttl).enabled && one(aws_dynamodb_table.this[0].ttl).attribute_name == "ExpiresAt"
    error_message = "TTL is on ExpiresAt."
  }

  assert {
    condition     = [for i in aws_dynamodb_table.this[0].global_secondary_index : [i.name, i.hash_key, i.range_key, i.projection_type]] == [["CategoryIndex", "Category", "Price", "ALL"]]
    error_message = "One GSI CategoryIndex (Category, Price, ALL)."
  }

  assert {
    condition     = aws_dynamodb_table.this[0].billing_mode == "PAY_PER_REQUEST"
    error_message = "On demand."
  }

  assert {
    condition     = !one(aws_dynamodb_table.this[0].point_in_time_recovery).enabled && !aws_dynamodb_table.this[0].deletion_protection_enabled
    error_message = "PITR and deletion protection default to off."
  }

  assert {
    condition     = one(aws_dynamodb_table.this[0].server_side_encryption).enabled
    error_message = "Encryption at rest with KMS is on by default."
  }

  assert {
    condition     = !aws_dynamodb_table.this[0].stream_enabled && length(aws_dynamodb_table.this[0].replica) == 0
    error_message = "No stream and no replica by default."
  }

  assert {
    condition     = length(aws_appautoscaling_target.this) == 0
    error_message = "No auto scaling on demand."
  }
}

run "provisioned_with_autoscaling" {
  command = plan

  variables {
    billing_mode                   = "PROVISIONED"
    read_capacity                  = 50
    write_capacity                 = 25
    autoscaling                    = { enabled = true, min_capacity = 25, max_capacity = 500, target_utilization = 70 }
    point_in_time_recovery_enabled = true
    deletion_protection_enabled    = true
  }

  assert {
    condition     = length(aws_dynamodb_table.this) == 0 && length(aws_dynamodb_table.autoscaled) == 1
    error_message = "An autoscaled table is the resource that ignores capacity changes."
  }

  assert {
    condition     = aws_dynamodb_table.autoscaled[0].read_capacity == 50 && aws_dynamodb_table.autoscaled[0].write_capacity == 25
    error_message = "Base capacity 50 / 25."
  }

  assert {
    condition     = alltrue([for i in aws_dynamodb_table.autoscaled[0].global_secondary_index : i.read_capacity == 50 && i.write_capacity == 25])
    error_message = "GSIs get the base capacity too."
  }

  assert {
    condition     = toset(keys(aws_appautoscaling_target.this)) == toset(["table:read", "table:write", "index:CategoryIndex:read", "index:CategoryIndex:write"])
    error_message = "Read and write scaling targets on the table and on the GSI."
  }

  assert {
    condition     = aws_appautoscaling_target.this["index:CategoryIndex:write"].resource_id == "table/test-Products/index/CategoryIndex" && aws_appautoscaling_target.this["index:CategoryIndex:write"].scalable_dimension == "dynamodb:index:WriteCapacityUnits"
    error_message = "The GSI target names the index and its dimension."
  }

  assert {
    condition     = alltrue([for t in aws_appautoscaling_target.this : t.min_capacity == 25 && t.max_capacity == 500])
    error_message = "Scaling between 25 and 500."
  }

  assert {
    condition     = alltrue([for p in aws_appautoscaling_policy.this : one(p.target_tracking_scaling_policy_configuration).target_value == 70])
    error_message = "Target utilization 70%."
  }

  assert {
    condition     = one(aws_dynamodb_table.autoscaled[0].point_in_time_recovery).enabled && aws_dynamodb_table.autoscaled[0].deletion_protection_enabled
    error_message = "PITR and deletion protection on."
  }
}

run "global_table_replicas" {
  command = plan

  variables {
    replica_regions = ["eu-west-1", "ap-southeast-2"]
  }

  assert {
    condition     = toset([for r in aws_dynamodb_table.this[0].replica : r.region_name]) == toset(["eu-west-1", "ap-southeast-2"])
    error_message = "One replica per region."
  }

  assert {
    condition     = aws_dynamodb_table.this[0].stream_enabled && aws_dynamodb_table.this[0].stream_view_type == "NEW_AND_OLD_IMAGES"
    error_message = "Global tables need a NEW_AND_OLD_IMAGES stream."
  }
}

run "local_secondary_index_and_include_projection" {
  command = plan

  variables {
    attributes = [
      { name = "Category", type = "S" },
      { name = "CreatedAt", type = "S" },
      { name = "ProductID", type = "S" },
      { name = "Version", type = "N" },
    ]
    ttl_attribute_name = null
    global_secondary_indexes = [{
      name               = "CategoryOnly"
      hash_key           = "Category"
      range_key          = null
      projection_type    = "INCLUDE"
      non_key_attributes = ["Name", "Price"]
    }]
    local_secondary_indexes = [{
      name               = "ByCreated"
      range_key          = "CreatedAt"
      projection_type    = "KEYS_ONLY"
      non_key_attributes = []
    }]
  }

  assert {
    condition     = [for i in aws_dynamodb_table.this[0].local_secondary_index : [i.name, i.range_key, i.projection_type]] == [["ByCreated", "CreatedAt", "KEYS_ONLY"]]
    error_message = "One LSI ByCreated on CreatedAt."
  }

  assert {
    condition     = one(aws_dynamodb_table.this[0].global_secondary_index).range_key == null && toset(one(aws_dynamodb_table.this[0].global_secondary_index).non_key_attributes) == toset(["Name", "Price"])
    error_message = "A GSI without sort key, projecting Name and Price."
  }

  assert {
    condition     = length(aws_dynamodb_table.this[0].ttl) == 0
    error_message = "No TTL block without a TTL attribute."
  }
}

run "rejects_unused_attribute" {
  command = plan

  variables {
    attributes = [
      { name = "Category", type = "S" },
      { name = "Price", type = "N" },
      { name = "ProductID", type = "S" },
      { name = "Version", type = "N" },
      { name = "Name", type = "S" },
    ]
  }

  expect_failures = [aws_dynamodb_table.this]
}

run "rejects_provisioned_global_table_without_autoscaling" {
  command = plan

  variables {
    billing_mode    = "PROVISIONED"
    read_capacity   = 5
    write_capacity  = 5
    replica_regions = ["eu-west-1"]
  }

  expect_failures = [aws_dynamodb_table.this]
}

run "rejects_bad_billing_mode" {
  command = plan

  variables {
    billing_mode = "ON_DEMAND"
  }

  expect_failures = [var.billing_mode]
}
