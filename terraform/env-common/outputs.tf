output "api_endpoint" {
  description = "Base URL of the HTTP API."
  value       = module.stack.api_endpoint
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.stack.function_name
}

output "table_names" {
  description = "Physical table name per entity."
  value       = module.stack.table_names
}

output "table_arns" {
  description = "Table ARN per entity."
  value       = module.stack.table_arns
}

output "dax_endpoint" {
  description = "DAX cluster endpoint (the Lambda's DAX_ENDPOINT); null without DAX."
  value       = module.stack.dax_endpoint
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.stack.vpc_id
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = module.stack.dashboard_name
}
