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
