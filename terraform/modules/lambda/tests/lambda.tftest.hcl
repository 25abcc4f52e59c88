# Plans the function with a mock AWS provider, from the committed fixture zip
# (dist/lambda.zip is built later by `make package`).

mock_provider "aws" {}

variables {
  function_name = "test-api"
  package_path  = "../../tests/fixtures/lambda.zip"
  role_arn      = "arn:aws:iam::123456789012:role/test-api-role"
  memory_size   = 512
  timeout       = 10
  environment_variables = {
    TABLE_NAME   = "test-Products"
    DAX_ENDPOINT = "dax://test.dax-clusters.us-east-1.amazonaws.com:8111"
  }
  vpc_id                = "vpc-123"
  subnet_ids            = ["subnet-a", "subnet-b"]
  log_retention_in_days = 30
}

run "function_in_vpc" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.runtime == "provided.al2023" && aws_lambda_function.this.handler == "bootstrap"
    error_message = "provided.al2023 running bootstrap."
  }

  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["x86_64"]) && aws_lambda_function.this.memory_size == 512 && aws_lambda_function.this.timeout == 10
    error_message = "Architecture, memory and timeout from the variables."
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("../../tests/fixtures/lambda.zip")
    error_message = "The package hash is the zip's, so a new build redeploys."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables == tomap({ TABLE_NAME = "test-Products", DAX_ENDPOINT = "dax://test.dax-clusters.us-east-1.amazonaws.com:8111" })
    error_message = "TABLE_NAME and DAX_ENDPOINT reach the function."
  }

  assert {
    condition     = one(aws_lambda_function.this.vpc_config).subnet_ids == toset(["subnet-a", "subnet-b"]) && length(one(aws_lambda_function.this.vpc_config).security_group_ids) == 1
    error_message = "The function runs in the private subnets with its own security group."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/test-api" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "Log group /aws/lambda/<name> with the given retention."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.https[0].from_port == 443 && aws_vpc_security_group_egress_rule.https[0].to_port == 443
    error_message = "The function's group allows HTTPS out."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "No reserved concurrency by default."
  }
}

run "reserved_concurrency_and_arm64" {
  command = plan

  variables {
    architecture                   = "arm64"
    reserved_concurrent_executions = 50
  }

  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["arm64"]) && aws_lambda_function.this.reserved_concurrent_executions == 50
    error_message = "arm64 with 50 reserved executions."
  }
}

run "outside_vpc" {
  command = plan

  variables {
    attach_to_vpc = false
    vpc_id        = null
    subnet_ids    = []
  }

  assert {
    condition     = length(aws_security_group.this) == 0 && length(aws_lambda_function.this.vpc_config) == 0
    error_message = "No security group and no VPC config outside a VPC."
  }
}

run "rejects_missing_package" {
  command = plan

  variables {
    package_path = "../../tests/fixtures/missing.zip"
  }

  expect_failures = [var.package_path]
}
