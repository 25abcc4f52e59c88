# Until the stack module existed, this root held the wiring itself. These
# blocks move a state planned or applied by that version to the new
# addresses (module.x -> module.stack.module.x), so upgrading plans no
# replacement. Keep them while a state may predate the stack.

moved {
  from = terraform_data.model_checks
  to   = module.stack.terraform_data.model_checks
}

moved {
  from = module.networking
  to   = module.stack.module.networking
}

moved {
  from = module.dynamodb
  to   = module.stack.module.dynamodb
}

moved {
  from = module.iam
  to   = module.stack.module.iam
}

moved {
  from = module.lambda
  to   = module.stack.module.lambda
}

moved {
  from = module.dax
  to   = module.stack.module.dax
}

moved {
  from = module.api
  to   = module.stack.module.api
}

moved {
  from = module.observability
  to   = module.stack.module.observability
}
