# The stack against an environment-shaped input: the whole environment is
# planned with a mock AWS provider (nothing is created, no credentials needed)
# and checked against the table model it was given (var.tables) and its
# settings. Every file of tests/inputs/ is one shape; the test suite runs this
# file once per shape:
#   terraform test -var-file=tests/inputs/prod.tfvars
# The environments' own tests (envs/<env>/tests/) check what is specific to
# each, and that it gives the stack exactly its generated tables.

mock_provider "aws" {
  # Known ARNs at plan time, so the IAM policy can be read back.
  override_during = plan
  source          = "../../tests/mocks/aws"
}

variables {
  # dist/lambda.zip may not be built yet; any zip will do for a plan.
  lambda_package_path = "../../tests/fixtures/lambda.zip"
}

run "tables_match_generated_model" {
  command = plan

  assert {
    condition     = toset(keys(module.dynamodb)) == toset(keys(var.tables))
    error_message = "One dynamodb module instance per generated table expected."
  }

  assert {
    condition     = alltrue([for k, t in var.tables : module.dynamodb[k].table_name == "${var.name_prefix}-${var.environment}-${t.name}"])
    error_message = "Table names must be <prefix>-<env>-<schema table name>."
  }

  assert {
    condition     = alltrue([for k, t in var.tables : module.dynamodb[k].hash_key == t.hash_key && module.dynamodb[k].range_key == t.range_key])
    error_message = "Table keys differ from the generated model."
  }

  assert {
    condition = alltrue([for k, t in var.tables :
      { for a in module.dynamodb[k].attributes : a.name => a.type } == { for a in t.attributes : a.name => a.type }
    ])
    error_message = "Attribute definitions differ from the generated model."
  }

  assert {
    condition     = alltrue([for k, t in var.tables : module.dynamodb[k].ttl_attribute_name == t.ttl_attribute])
    error_message = "TTL attribute differs from the generated model."
  }

  assert {
    condition = alltrue([for k, t in var.tables :
      {
        for i in module.dynamodb[k].global_secondary_indexes : i.name =>
        join("|", [i.hash_key, coalesce(i.range_key, "-"), i.projection_type, join(",", sort(coalesce(i.non_key_attributes, [])))])
      } ==
      {
        for i in t.global_secondary_indexes : i.name =>
        join("|", [i.hash_key, coalesce(i.range_key, "-"), i.projection_type, join(",", sort(i.projection_type == "INCLUDE" ? i.non_key_attributes : []))])
      }
    ])
    error_message = "Global secondary indexes differ from the generated model."
  }

  assert {
    condition = alltrue([for k, t in var.tables :
      {
        for i in module.dynamodb[k].local_secondary_indexes : i.name =>
        join("|", [i.range_key, i.projection_type, join(",", sort(coalesce(i.non_key_attributes, [])))])
      } ==
      {
        for i in t.local_secondary_indexes : i.name =>
        join("|", [i.range_key, i.projection_type, join(",", sort(i.projection_type == "INCLUDE" ? i.non_key_attributes : []))])
      }
    ])
    error_message = "Local secondary indexes differ from the generated model."
  }

  assert {
    condition = alltrue([for k, t in var.tables :
      module.dynamodb[k].billing_mode == t.billing_mode &&
      module.dynamodb[k].point_in_time_recovery_enabled == t.point_in_time_recovery &&
      module.dynamodb[k].deletion_protection_enabled == t.deletion_protection &&
      module.dynamodb[k].server_side_encryption_enabled
    ])
    error_message = "Billing mode, PITR, deletion protection or encryption differ from the generated model."
  }
}

run "dax_matches_cache_policy" {
  command = plan

  assert {
    condition     = length(module.dax) == (length(local.dax_tables) > 0 ? 1 : 0)
    error_message = "Exactly one DAX cluster when some table reads or writes through DAX, none otherwise."
  }

  assert {
    condition     = length(module.dax) == 0 ? true : module.dax[0].item_ttl_ms == min([for t in values(local.dax_tables) : t.cache.item_ttl_ms]...)
    error_message = "DAX record-ttl-millis must be the schema's item TTL (the smallest over the tables)."
  }

  assert {
    condition     = length(module.dax) == 0 ? true : module.dax[0].query_ttl_ms == min([for t in values(local.dax_tables) : t.cache.query_ttl_ms]...)
    error_message = "DAX query-ttl-millis must be the schema's query TTL (the smallest over the tables)."
  }

  assert {
    condition     = length(module.dax) == 0 ? true : module.dax[0].encryption_at_rest
    error_message = "DAX must encrypt at rest."
  }

  assert {
    condition     = length(module.dax) == 0 ? !contains(keys(module.lambda.environment_variables), "DAX_ENDPOINT") : module.lambda.environment_variables["DAX_ENDPOINT"] == "${module.dax[0].tls ? "daxs" : "dax"}://mock.abc123.dax-clusters.us-east-1.amazonaws.com:${module.dax[0].tls ? 9111 : 8111}"
    error_message = "The Lambda's DAX_ENDPOINT must be the cluster endpoint with the scheme and port of its TLS setting (and unset without a cluster)."
  }
}

run "iam_holds_exactly_the_generated_actions" {
  command = plan

  assert {
    condition = alltrue([for k, t in var.tables :
      tolist(one([for s in jsondecode(module.iam.policy_json).Statement : s.Action if s.Sid == "DynamoDB${join("", [for w in split("_", k) : title(w)])}"])) == sort(distinct(t.dynamodb_actions))
    ])
    error_message = "Each table's statement must hold exactly its generated dynamodb_actions."
  }

  assert {
    condition = alltrue([for k, t in var.tables :
      toset(one([for s in jsondecode(module.iam.policy_json).Statement : s.Resource if s.Sid == "DynamoDB${join("", [for w in split("_", k) : title(w)])}"])) ==
      toset(concat([module.dynamodb[k].table_arn], [for i in module.dynamodb[k].index_names : "${module.dynamodb[k].table_arn}/index/${i}"]))
    ])
    error_message = "Each table's statement must cover exactly the table and its indexes."
  }

  assert {
    condition = toset(flatten([for s in jsondecode(module.iam.policy_json).Statement : s.Action if startswith(s.Sid, "DynamoDB") || s.Sid == "DAX"])) == toset(concat(
      flatten([for t in values(var.tables) : t.dynamodb_actions]),
      flatten([for t in values(local.dax_tables) : t.dax_actions]),
    ))
    error_message = "The data actions of the policy must be exactly the generated dynamodb_actions and dax_actions."
  }

  assert {
    condition     = length(module.dax) == 0 ? length([for s in jsondecode(module.iam.policy_json).Statement : s if s.Sid == "DAX"]) == 0 : tolist(one([for s in jsondecode(module.iam.policy_json).Statement : s.Resource if s.Sid == "DAX"])) == tolist([module.dax[0].cluster_arn])
    error_message = "DAX actions must be granted on the cluster ARN only (no DAX statement without a cluster)."
  }

  assert {
    condition     = !anytrue(flatten([for s in jsondecode(module.iam.policy_json).Statement : [for a in flatten([s.Action]) : strcontains(a, "*")]]))
    error_message = "No wildcard action."
  }

  assert {
    condition     = alltrue([for s in jsondecode(module.iam.policy_json).Statement : s.Sid == "VpcNetworkInterfaces" if contains(flatten([s.Resource]), "*")])
    error_message = "Only the ENI statement may use the \"*\" resource."
  }
}

run "lambda_api_and_alarms" {
  command = plan

  assert {
    condition     = module.lambda.runtime == "provided.al2023"
    error_message = "The function runs on provided.al2023."
  }

  assert {
    condition     = alltrue([for k, t in var.tables : module.lambda.environment_variables["TABLE_NAME_${upper(k)}"] == module.dynamodb[k].table_name])
    error_message = "The function must get each table's name."
  }

  assert {
    condition     = length(var.tables) == 1 ? module.lambda.environment_variables["TABLE_NAME"] == one(values(module.dynamodb)).table_name : !contains(keys(module.lambda.environment_variables), "TABLE_NAME")
    error_message = "A single-table schema sets TABLE_NAME, a multi-table one does not."
  }

  assert {
    condition     = module.api.route_keys == sort(flatten([for t in values(var.tables) : t.api_routes]))
    error_message = "The API must serve exactly the generated routes."
  }

  assert {
    condition = length(setsubtract(
      concat(["${local.name}-lambda-errors", "${local.name}-lambda-throttles", "${local.name}-lambda-p99-duration", "${local.name}-api-5xx"],
        [for k in keys(var.tables) : "${local.name}-dynamodb-${k}-throttles"],
      length(module.dax) > 0 ? ["${local.name}-dax-cpu", "${local.name}-dax-evictions", "${local.name}-dax-cache-hit-rate"] : []),
      module.observability.alarm_names,
    )) == 0
    error_message = "Alarms missing (Lambda errors/throttles/p99, API 5xx, DynamoDB throttles, DAX CPU/evictions/hit rate)."
  }
}

run "shared_cluster_settings_must_agree" {
  command = plan

  # Only the check: the rest of the plan is the other runs' business.
  plan_options {
    target = [terraform_data.model_checks]
  }

  # A second cached table asking for the other TLS setting than product's.
  variables {
    tables = merge(var.tables, {
      other = merge(var.tables["product"], {
        name       = "Other"
        dax        = merge(var.tables["product"].dax, { tls = !var.tables["product"].dax.tls })
        api_routes = []
      })
    })
  }

  expect_failures = [terraform_data.model_checks]
}
