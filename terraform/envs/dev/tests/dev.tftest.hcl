# Plans the dev environment with a mock AWS provider (nothing is created, no
# credentials needed), from its generated tables (dynagen_tables.tf +
# <table>.auto.tfvars, written by `make generate`) and terraform.tfvars.
# The checks every environment shares (keys, indexes and TTL = schema, DAX
# TTLs = cache policy, IAM = the generated actions, routes, alarms) are the
# stack's: modules/stack/tests, run against each environment's shape. Here:
# the stack gets exactly this environment's generated tables, and what is
# specific to dev.

mock_provider "aws" {
  override_during = plan
  source          = "../../tests/mocks/aws"
}

variables {
  # dist/lambda.zip may not be built yet; any zip will do for a plan.
  lambda_package_path = "../../tests/fixtures/lambda.zip"
}

run "stack_gets_the_generated_tables" {
  command = plan

  assert {
    condition     = module.stack.tables == tomap(local.dynagen_tables)
    error_message = "The stack must get exactly local.dynagen_tables; a difference means modules/stack's `tables` type lacks a field the generator writes."
  }

  assert {
    condition     = module.stack.table_names == { for k, t in local.dynagen_tables : k => "${module.stack.name}-${t.name}" }
    error_message = "One table per generated table, named <prefix>-dev-<schema table name>."
  }
}

run "dev_environment" {
  command = plan

  assert {
    condition     = module.stack.nat_gateway_count == 1
    error_message = "dev has one NAT gateway."
  }

  assert {
    condition     = try(module.stack.dax.nodes, 0) == 1
    error_message = "dev has one DAX node."
  }

  assert {
    condition     = module.stack.dax.node_type == "dax.t3.small" && !module.stack.dax.tls
    error_message = "dev DAX is a dax.t3.small without TLS (schema environments.dev)."
  }

  assert {
    condition     = alltrue([for m in values(module.stack.dynamodb) : m.billing_mode == "PAY_PER_REQUEST" && !m.autoscaled])
    error_message = "dev tables are on demand."
  }
}
