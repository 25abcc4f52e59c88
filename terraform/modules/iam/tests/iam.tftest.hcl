# Plans the Lambda role with a mock AWS provider and reads its policy back:
# exactly the given actions, on exactly the tables, indexes and cluster.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

variables {
  name           = "test-api-role"
  log_group_name = "/aws/lambda/test-api"
  dynamodb_tables = {
    product = {
      arn         = "arn:aws:dynamodb:us-east-1:123456789012:table/test-Products"
      index_names = ["CategoryIndex"]
      actions     = ["dynamodb:Query", "dynamodb:GetItem"]
    }
    order_line = {
      arn         = "arn:aws:dynamodb:us-east-1:123456789012:table/test-OrderLines"
      index_names = []
      actions     = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:GetItem"]
    }
  }
  dax_cluster_arns = ["arn:aws:dax:us-east-1:123456789012:cache/test-dev"]
  dax_actions      = ["dax:Query", "dax:GetItem", "dax:PutItem", "dax:DeleteItem"]
}

run "policy_is_exact" {
  command = plan

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid] == ["DynamoDBOrderLine", "DynamoDBProduct", "DAX", "Logs", "VpcNetworkInterfaces"]
    error_message = "One statement per table, then DAX, logs and ENIs."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this.policy).Statement[1].Action == ["dynamodb:GetItem", "dynamodb:Query"]
    error_message = "The product table gets exactly GetItem and Query."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this.policy).Statement[1].Resource == ["arn:aws:dynamodb:us-east-1:123456789012:table/test-Products", "arn:aws:dynamodb:us-east-1:123456789012:table/test-Products/index/CategoryIndex"]
    error_message = "The product statement covers the table and its one index."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this.policy).Statement[0].Action == ["dynamodb:GetItem", "dynamodb:PutItem"] && jsondecode(aws_iam_role_policy.this.policy).Statement[0].Resource == ["arn:aws:dynamodb:us-east-1:123456789012:table/test-OrderLines"]
    error_message = "The order_line statement: its own actions (deduplicated), its table only."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this.policy).Statement[2].Action == ["dax:DeleteItem", "dax:GetItem", "dax:PutItem", "dax:Query"] && jsondecode(aws_iam_role_policy.this.policy).Statement[2].Resource == ["arn:aws:dax:us-east-1:123456789012:cache/test-dev"]
    error_message = "DAX actions on the cluster ARN only."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this.policy).Statement[3].Resource == ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/test-api:*"] && !contains(jsondecode(aws_iam_role_policy.this.policy).Statement[3].Action, "logs:CreateLogGroup")
    error_message = "Logs: streams and events in the function's own log group."
  }

  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : alltrue([for a in s.Action : !strcontains(a, "*")])])
    error_message = "No wildcard action."
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid if contains(s.Resource, "*")] == ["VpcNetworkInterfaces"]
    error_message = "Only the ENI statement has the \"*\" resource."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal.Service == "lambda.amazonaws.com"
    error_message = "The role is assumed by Lambda."
  }
}

run "without_dax_or_vpc" {
  command = plan

  variables {
    dax_cluster_arns  = []
    dax_actions       = []
    enable_vpc_access = false
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid] == ["DynamoDBOrderLine", "DynamoDBProduct", "Logs"]
    error_message = "No DAX and no ENI statement."
  }

  assert {
    condition     = !anytrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : contains(s.Resource, "*")])
    error_message = "No \"*\" resource at all outside a VPC."
  }
}

run "rejects_wildcard_action" {
  command = plan

  variables {
    dax_actions = ["dax:*"]
  }

  expect_failures = [var.dax_actions]
}
