# Shared mock data of the aws provider for `terraform test` (mock_provider
# "aws" { source = ".../tests/mocks/aws" }): ARNs and the DAX address known at
# plan time (with override_during = plan), so the tests can read back the IAM
# policy and the Lambda's DAX_ENDPOINT.

mock_resource "aws_dynamodb_table" {
  defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/mock" }
}

mock_resource "aws_dax_cluster" {
  defaults = {
    arn             = "arn:aws:dax:us-east-1:123456789012:cache/mock"
    cluster_address = "mock.abc123.dax-clusters.us-east-1.amazonaws.com"
  }
}

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}

mock_data "aws_region" {
  defaults = { name = "us-east-1" }
}

mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}
