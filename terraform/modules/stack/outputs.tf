# What the roots output, and what the tests read back (the roots' tests can
# only reach the stack through its outputs).

output "api_endpoint" {
  description = "Base URL of the HTTP API."
  value       = module.api.api_endpoint
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.lambda.function_name
}

output "table_names" {
  description = "Physical table name per entity."
  value       = { for k, m in module.dynamodb : k => m.table_name }
}

output "table_arns" {
  description = "Table ARN per entity."
  value       = { for k, m in module.dynamodb : k => m.table_arn }
}

output "dax_endpoint" {
  description = "DAX cluster endpoint (the Lambda's DAX_ENDPOINT); null without DAX."
  value       = try(module.dax[0].endpoint_url, null)
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.networking.vpc_id
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = module.observability.dashboard_name
}

output "tables" {
  description = "The table model the stack was given (var.tables), after conversion to its type: equal to the root's local.dynagen_tables unless the generated type gained a field this module does not know."
  value       = var.tables
}

output "dynamodb" {
  description = "Every output of the dynamodb module per entity: the planned keys, attributes, indexes, TTL and settings of each table."
  value       = module.dynamodb
}

output "dax" {
  description = "Every output of the dax module (nodes, node_type, tls, encryption_at_rest, item_ttl_ms, query_ttl_ms, ...); null without DAX."
  value       = one(module.dax)
}

output "nat_gateway_count" {
  description = "Number of NAT gateways."
  value       = module.networking.nat_gateway_count
}

output "iam_policy_json" {
  description = "The Lambda role's inline policy document."
  value       = module.iam.policy_json
}

output "lambda_environment_variables" {
  description = "Environment of the function (TABLE_NAME*, DAX_ENDPOINT)."
  value       = module.lambda.environment_variables
}

output "name" {
  description = "<name_prefix>-<environment>: the prefix of every resource name (and the DAX cluster name)."
  value       = local.name
}
