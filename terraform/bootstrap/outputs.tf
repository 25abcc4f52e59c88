output "state_bucket_name" {
  description = "Name of the state bucket."
  value       = aws_s3_bucket.state.bucket
}

output "state_bucket_arn" {
  description = "ARN of the state bucket."
  value       = local.bucket_arn
}

output "lock_table_name" {
  description = "Name of the DynamoDB lock table."
  value       = aws_dynamodb_table.lock.name
}

output "region" {
  description = "Region of the bucket and the table."
  value       = var.region
}

output "backend_config" {
  description = "S3 backend settings per environment (pass to `terraform init -backend-config=...`)."
  value = {
    for env in var.environments : env => {
      bucket         = aws_s3_bucket.state.bucket
      key            = "dynagen/${env}/terraform.tfstate"
      region         = var.region
      dynamodb_table = aws_dynamodb_table.lock.name
      encrypt        = true
    }
  }
}

output "backend_hcl" {
  description = "Contents of envs/<env>/backend.hcl for each environment: `terraform output -json backend_hcl | jq -r .dev > ../envs/dev/backend.hcl`."
  value = {
    for env in var.environments : env => join("\n", [
      "bucket         = \"${aws_s3_bucket.state.bucket}\"",
      "key            = \"dynagen/${env}/terraform.tfstate\"",
      "region         = \"${var.region}\"",
      "dynamodb_table = \"${aws_dynamodb_table.lock.name}\"",
      "encrypt        = true",
      "",
    ])
  }
}
