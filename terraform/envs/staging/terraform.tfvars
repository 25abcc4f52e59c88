# Hand-written settings of staging. Table settings come from products.auto.tfvars (generated).
environment = "staging"
region      = "us-east-1"
name_prefix = "dynagen"

availability_zones   = ["us-east-1a", "us-east-1b", "us-east-1c"]
vpc_cidr             = "10.20.0.0/16"
public_subnet_cidrs  = ["10.20.0.0/24", "10.20.1.0/24", "10.20.2.0/24"]
private_subnet_cidrs = ["10.20.10.0/24", "10.20.11.0/24", "10.20.12.0/24"]
single_nat_gateway   = true # staging trades NAT redundancy for cost

lambda_memory_size    = 512
lambda_timeout        = 10
log_retention_in_days = 14

api_throttling_burst_limit = 200
api_throttling_rate_limit  = 100
