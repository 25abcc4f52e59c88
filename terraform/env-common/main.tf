# One environment: the stack (modules/stack: VPC, tables, DAX, Lambda, API,
# alarms) with this environment's tables (local.dynagen_tables, generated) and
# settings (terraform.tfvars). Former addresses of its resources: moved.tf.

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      Project     = "dynagen"
      Environment = var.environment
      ManagedBy   = "terraform"
    })
  }
}

module "stack" {
  source = "../../modules/stack"

  tables = local.dynagen_tables # from the generated dynagen_tables.tf

  environment                 = var.environment
  name_prefix                 = var.name_prefix
  availability_zones          = var.availability_zones
  vpc_cidr                    = var.vpc_cidr
  public_subnet_cidrs         = var.public_subnet_cidrs
  private_subnet_cidrs        = var.private_subnet_cidrs
  single_nat_gateway          = var.single_nat_gateway
  lambda_package_path         = var.lambda_package_path
  lambda_architecture         = var.lambda_architecture
  lambda_memory_size          = var.lambda_memory_size
  lambda_timeout              = var.lambda_timeout
  lambda_reserved_concurrency = var.lambda_reserved_concurrency
  log_retention_in_days       = var.log_retention_in_days
  api_throttling_burst_limit  = var.api_throttling_burst_limit
  api_throttling_rate_limit   = var.api_throttling_rate_limit
  jwt_authorizer              = var.jwt_authorizer
  replica_regions             = var.replica_regions
  alarm_actions               = var.alarm_actions
}
