# Used by tests/suites/terraform.sh (schema-change step), not run in place:
# copied into a scratch copy of envs/dev after schema/products.yaml gained
#   CurrencyStockIndex: { type: global, partition: currency, sort: stock, projection: keys_only }
# and `dynagen generate` rewrote the tfvars. The same file run before the
# regeneration must fail (the plan lacks the index), after it must pass.

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/mock" }
  }
  mock_resource "aws_dax_cluster" {
    defaults = { arn = "arn:aws:dax:us-east-1:123456789012:cache/mock" }
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
}

variables {
  lambda_package_path = "../../tests/fixtures/lambda.zip"
}

run "plan_gains_the_new_gsi" {
  command = plan

  assert {
    condition = contains([
      for i in module.dynamodb["product"].global_secondary_indexes :
      "${i.name}|${i.hash_key}|${i.range_key}|${i.projection_type}"
    ], "CurrencyStockIndex|Currency|Stock|KEYS_ONLY")
    error_message = "The table's plan must hold the new GSI CurrencyStockIndex (Currency, Stock, KEYS_ONLY)."
  }

  assert {
    condition     = contains([for i in module.dynamodb["product"].global_secondary_indexes : i.name], "CategoryIndex")
    error_message = "The existing GSI CategoryIndex must stay."
  }

  assert {
    condition     = lookup({ for a in module.dynamodb["product"].attributes : a.name => a.type }, "Currency", "") == "S" && lookup({ for a in module.dynamodb["product"].attributes : a.name => a.type }, "Stock", "") == "N"
    error_message = "The new index's key attributes (Currency S, Stock N) must be defined."
  }

  assert {
    condition     = contains(flatten([for s in jsondecode(module.iam.policy_json).Statement : s.Resource if s.Sid == "DynamoDBProduct"]), "${module.dynamodb["product"].table_arn}/index/CurrencyStockIndex")
    error_message = "The Lambda's role must reach the new index."
  }
}
