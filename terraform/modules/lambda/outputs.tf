output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN API Gateway uses to invoke the function."
  value       = aws_lambda_function.this.invoke_arn
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = aws_cloudwatch_log_group.this.arn
}

output "security_group_id" {
  description = "Security group of the function's ENIs; null outside a VPC."
  value       = try(aws_security_group.this[0].id, null)
}

output "environment_variables" {
  description = "Environment of the function."
  value       = var.environment_variables
}

output "runtime" {
  description = "Runtime of the function."
  value       = aws_lambda_function.this.runtime
}
