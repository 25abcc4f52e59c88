# One environment's stack, the wiring every envs/<env> root shares: the tables
# of the schema (var.tables: the root's local.dynagen_tables, generated), one
# VPC, one DAX cluster serving every table that caches through DAX, one
# Lambda, one HTTP API, alarms and a dashboard. The root configures the
# provider (region, default tags) and passes its environment settings.

locals {
  name   = "${var.name_prefix}-${var.environment}"
  tables = var.tables

  table_names = { for k, t in local.tables : k => "${local.name}-${t.name}" }

  # DAX: one cluster for every table whose reads or writes go through it.
  dax_tables  = { for k, t in local.tables : k => t if t.cache.reads == "dax" || t.cache.writes == "dax" }
  dax_enabled = length(local.dax_tables) > 0
  dax = local.dax_enabled ? {
    node_type = local.dax_tables[sort(keys(local.dax_tables))[0]].dax.node_type
    nodes     = max([for t in values(local.dax_tables) : t.dax.nodes]...)
    tls       = anytrue([for t in values(local.dax_tables) : t.dax.tls])
    # One parameter group per cluster: the strictest staleness wins.
    item_ttl_ms  = min([for t in values(local.dax_tables) : t.cache.item_ttl_ms]...)
    query_ttl_ms = min([for t in values(local.dax_tables) : t.cache.query_ttl_ms]...)
  } : null
  dax_actions = sort(distinct(flatten([for t in values(local.dax_tables) : t.dax_actions])))

  # Routes of every table, in table order (duplicates are refused by the api module).
  routes = flatten([for k in sort(keys(local.tables)) : local.tables[k].api_routes])

  function_name = "${local.name}-api"

  lambda_environment = merge(
    # The runtime's TABLE_NAME (single-table schemas) ...
    length(local.tables) == 1 ? { TABLE_NAME = one(values(local.table_names)) } : {},
    # ... and TABLE_NAME_<ENTITY> for each table.
    { for k, n in local.table_names : "TABLE_NAME_${upper(k)}" => n },
    local.dax_enabled ? { DAX_ENDPOINT = module.dax[0].endpoint_url } : {},
  )
}

# Model consistency the generator cannot see per table: one cluster, one setting.
resource "terraform_data" "model_checks" {
  # A tuple, as keys() gave when the roots held this resource (a list would
  # plan an update of it after the move).
  input = [for k in keys(local.tables) : k]

  lifecycle {
    precondition {
      condition     = length(local.tables) > 0
      error_message = "No table in local.dynagen_tables: run `make generate`."
    }
    precondition {
      condition     = length(distinct([for t in values(local.dax_tables) : t.dax.node_type])) <= 1
      error_message = "Tables sharing the environment's DAX cluster ask for different node types; make environments.${var.environment}.dax agree across schema/*.yaml."
    }
    precondition {
      condition     = length(distinct([for t in values(local.dax_tables) : t.dax.tls])) <= 1
      error_message = "Tables sharing the environment's DAX cluster disagree on TLS; make environments.${var.environment}.dax.tls agree across schema/*.yaml."
    }
  }
}

module "networking" {
  source = "../networking"

  name                     = local.name
  cidr                     = var.vpc_cidr
  azs                      = var.availability_zones
  public_subnets           = var.public_subnet_cidrs
  private_subnets          = var.private_subnet_cidrs
  enable_nat_gateway       = true
  single_nat_gateway       = var.single_nat_gateway
  enable_dynamodb_endpoint = true
}

module "dynamodb" {
  source   = "../dynamodb"
  for_each = local.tables

  name                           = local.table_names[each.key]
  hash_key                       = each.value.hash_key
  range_key                      = each.value.range_key
  attributes                     = each.value.attributes
  ttl_attribute_name             = each.value.ttl_attribute
  global_secondary_indexes       = each.value.global_secondary_indexes
  local_secondary_indexes        = each.value.local_secondary_indexes
  billing_mode                   = each.value.billing_mode
  read_capacity                  = each.value.read_capacity
  write_capacity                 = each.value.write_capacity
  autoscaling                    = each.value.autoscaling
  point_in_time_recovery_enabled = each.value.point_in_time_recovery
  deletion_protection_enabled    = each.value.deletion_protection
  server_side_encryption_enabled = true
  replica_regions                = var.replica_regions
}

module "iam" {
  source = "../iam"

  name           = "${local.function_name}-role"
  log_group_name = "/aws/lambda/${local.function_name}"
  dynamodb_tables = {
    for k, t in local.tables : k => {
      arn         = module.dynamodb[k].table_arn
      index_names = module.dynamodb[k].index_names
      actions     = t.dynamodb_actions
    }
  }
  dax_cluster_arns = local.dax_enabled ? [module.dax[0].cluster_arn] : []
  dax_actions      = local.dax_actions
}

module "lambda" {
  source = "../lambda"

  function_name = local.function_name
  # Default relative to the root (envs/<env>), the same path as before the stack existed.
  package_path                   = coalesce(var.lambda_package_path, "${path.root}/../../../dist/lambda.zip")
  architecture                   = var.lambda_architecture
  memory_size                    = var.lambda_memory_size
  timeout                        = var.lambda_timeout
  reserved_concurrent_executions = var.lambda_reserved_concurrency
  role_arn                       = module.iam.role_arn
  environment_variables          = local.lambda_environment
  vpc_id                         = module.networking.vpc_id
  subnet_ids                     = module.networking.private_subnet_ids
  log_retention_in_days          = var.log_retention_in_days
}

module "dax" {
  source = "../dax"
  count  = local.dax_enabled ? 1 : 0

  name                      = local.name
  node_type                 = local.dax.node_type
  nodes                     = local.dax.nodes
  tls                       = local.dax.tls
  item_ttl_ms               = local.dax.item_ttl_ms
  query_ttl_ms              = local.dax.query_ttl_ms
  vpc_id                    = module.networking.vpc_id
  subnet_ids                = module.networking.private_subnet_ids
  client_security_group_ids = [module.lambda.security_group_id]
  table_arns                = [for k in sort(keys(local.dax_tables)) : module.dynamodb[k].table_arn]
  # DAX performs, on DynamoDB, the data actions its clients send it.
  dynamodb_actions = [for a in local.dax_actions : replace(a, "dax:", "dynamodb:")]
}

module "api" {
  source = "../api"

  name                         = local.name
  routes                       = local.routes
  lambda_function_name         = module.lambda.function_name
  lambda_invoke_arn            = module.lambda.invoke_arn
  throttling_burst_limit       = var.api_throttling_burst_limit
  throttling_rate_limit        = var.api_throttling_rate_limit
  access_log_retention_in_days = var.log_retention_in_days
  jwt_authorizer               = var.jwt_authorizer
}

module "observability" {
  source = "../observability"

  name                   = local.name
  lambda_function_name   = local.function_name
  lambda_timeout_seconds = var.lambda_timeout
  dynamodb_table_names   = local.table_names
  enable_dax_alarms      = local.dax_enabled
  dax_cluster_name       = local.dax_enabled ? local.name : null
  api_id                 = module.api.api_id
  api_stage              = module.api.stage_name
  alarm_actions          = var.alarm_actions
}
