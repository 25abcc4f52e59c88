# Plans the remote-state stack with a mock AWS provider.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

run "state_bucket_and_lock_table" {
  command = plan

  assert {
    condition     = aws_s3_bucket.state.bucket == "dynagen-tfstate-123456789012-us-east-1"
    error_message = "Bucket name <prefix>-tfstate-<account>-<region>."
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.state.versioning_configuration).status == "Enabled"
    error_message = "Versioning on."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.state.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "SSE-KMS by default."
  }

  assert {
    condition = (aws_s3_bucket_public_access_block.state.block_public_acls && aws_s3_bucket_public_access_block.state.block_public_policy &&
    aws_s3_bucket_public_access_block.state.ignore_public_acls && aws_s3_bucket_public_access_block.state.restrict_public_buckets)
    error_message = "All four public access blocks on."
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.state.policy).Statement[0].Effect == "Deny" && jsondecode(aws_s3_bucket_policy.state.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false"
    error_message = "The bucket policy denies requests without TLS."
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.state.policy).Statement[0].Resource == ["arn:aws:s3:::dynagen-tfstate-123456789012-us-east-1", "arn:aws:s3:::dynagen-tfstate-123456789012-us-east-1/*"]
    error_message = "The TLS-only policy covers the bucket and its objects."
  }

  assert {
    condition     = aws_dynamodb_table.lock.hash_key == "LockID" && aws_dynamodb_table.lock.billing_mode == "PAY_PER_REQUEST"
    error_message = "Lock table keyed by LockID, on demand."
  }

  assert {
    condition     = toset(keys(output.backend_config)) == toset(["dev", "staging", "prod"]) && output.backend_config["prod"].key == "dynagen/prod/terraform.tfstate" && output.backend_config["prod"].dynamodb_table == "dynagen-tflock"
    error_message = "Backend settings for each environment."
  }
}

run "explicit_names" {
  command = plan

  variables {
    state_bucket_name = "acme-terraform-state"
    lock_table_name   = "acme-locks"
  }

  assert {
    condition     = aws_s3_bucket.state.bucket == "acme-terraform-state" && aws_dynamodb_table.lock.name == "acme-locks"
    error_message = "Explicit names win."
  }
}
