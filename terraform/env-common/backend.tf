# Partial configuration: the values come from the bootstrap stack's outputs,
#   terraform init -backend-config=backend.hcl
# (see backend.hcl.example and terraform/README.md). Tests and validation run
# with `terraform init -backend=false`.
terraform {
  backend "s3" {}
}
