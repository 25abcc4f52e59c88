# Used by tests/suites/terraform.sh (schema-change step), not run in place:
# copied into a scratch copy of envs/dev after schema/products.yaml gained
#   CurrencyStockIndex: { type: global, partition: currency, sort: stock, projection: keys_only }
# and `dynagen generate` rewrote the tfvars. The same file run before the
# regeneration must fail (the plan lacks the index), after it must pass.

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks/aws"
}

variables {
  lambda_package_path = "../../tests/fixtures/lambda.zip"
}

run "plan_gains_the_new_gsi" {
  command = plan

  assert {
    condition = contains([
      for i in module.stack.dynamodb["product"].global_secondary_indexes :
      "${i.name}|${i.hash_key}|${i.range_key}|${i.projection_type}"
    ], "CurrencyStockIndex|Currency|Stock|KEYS_ONLY")
    error_message = "The table's plan must hold the new GSI CurrencyStockIndex (Currency, Stock, KEYS_ONLY)."
  }

  assert {
    condition     = contains([for i in module.stack.dynamodb["product"].global_secondary_indexes : i.name], "CategoryIndex")
    error_message = "The existing GSI CategoryIndex must stay."
  }

  assert {
    condition     = lookup({ for a in module.stack.dynamodb["product"].attributes : a.name => a.type }, "Currency", "") == "S" && lookup({ for a in module.stack.dynamodb["product"].attributes : a.name => a.type }, "Stock", "") == "N"
    error_message = "The new index's key attributes (Currency S, Stock N) must be defined."
  }

  assert {
    condition     = contains(flatten([for s in jsondecode(module.stack.iam_policy_json).Statement : s.Resource if s.Sid == "DynamoDBProduct"]), "${module.stack.dynamodb["product"].table_arn}/index/CurrencyStockIndex")
    error_message = "The Lambda's role must reach the new index."
  }
}
