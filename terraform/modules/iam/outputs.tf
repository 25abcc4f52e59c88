output "role_arn" {
  description = "ARN of the Lambda execution role (available once its policy is attached: Lambda checks the ENI permissions when it creates a VPC function)."
  value       = aws_iam_role.this.arn
  depends_on  = [aws_iam_role_policy.this]
}

output "role_name" {
  description = "Name of the Lambda execution role."
  value       = aws_iam_role.this.name
}

output "policy_json" {
  description = "The role's inline policy document."
  value       = aws_iam_role_policy.this.policy
}

output "dynamodb_actions" {
  description = "DynamoDB actions granted, per table (keyed by entity)."
  value       = { for k, t in var.dynamodb_tables : k => sort(distinct(t.actions)) }
}

output "dax_actions" {
  description = "DAX actions granted on the cluster (empty without DAX)."
  value       = length(local.dax_statements) > 0 ? local.dax_statements[0].Action : []
}
