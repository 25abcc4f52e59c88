# Plans the prod environment with a mock AWS provider (nothing is created, no
# credentials needed), from its generated tables (dynagen_tables.tf +
# <table>.auto.tfvars, written by `make generate`) and terraform.tfvars.
# The checks every environment shares (keys, indexes and TTL = schema, DAX
# TTLs = cache policy, IAM = the generated actions, routes, alarms) are the
# stack's: modules/stack/tests, run against each environment's shape. Here:
# the stack gets exactly this environment's generated tables, and what is
# specific to prod.

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
    error_message = "One table per generated table, named <prefix>-prod-<schema table name>."
  }
}

run "prod_environment" {
  command = plan

  assert {
    condition     = module.stack.nat_gateway_count == length(var.availability_zones) && length(var.availability_zones) >= 3
    error_message = "prod has one NAT gateway per AZ, over three AZs or more."
  }

  assert {
    condition     = try(module.stack.dax.nodes, 0) == 3
    error_message = "prod has three DAX nodes."
  }

  assert {
    condition     = module.stack.dax.tls && module.stack.dax.encryption_at_rest
    error_message = "prod DAX uses TLS in transit and encryption at rest."
  }

  assert {
    condition     = startswith(module.stack.lambda_environment_variables["DAX_ENDPOINT"], "daxs://") && endswith(module.stack.lambda_environment_variables["DAX_ENDPOINT"], ":9111")
    error_message = "prod's Lambda connects to DAX with TLS (daxs://...:9111)."
  }

  assert {
    condition     = alltrue([for m in values(module.stack.dynamodb) : m.point_in_time_recovery_enabled && m.deletion_protection_enabled])
    error_message = "prod tables have point-in-time recovery and deletion protection."
  }

  assert {
    condition = alltrue([for k, t in local.dynagen_tables :
      module.stack.dynamodb[k].billing_mode == "PROVISIONED" && module.stack.dynamodb[k].autoscaled &&
      module.stack.dynamodb[k].read_capacity == t.read_capacity && module.stack.dynamodb[k].write_capacity == t.write_capacity &&
      length(module.stack.dynamodb[k].autoscaling_target_ids) == 2 * (1 + length(t.global_secondary_indexes))
    ])
    error_message = "prod tables are provisioned at the generated capacity, with read and write auto scaling on the table and every GSI."
  }
}
