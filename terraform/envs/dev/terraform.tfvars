# Hand-written settings of dev. Table settings come from products.auto.tfvars (generated).
environment = "dev"
region      = "us-east-1"
name_prefix = "dynagen"

availability_zones   = ["us-east-1a", "us-east-1b"]
vpc_cidr             = "10.10.0.0/16"
public_subnet_cidrs  = ["10.10.0.0/24", "10.10.1.0/24"]
private_subnet_cidrs = ["10.10.10.0/24", "10.10.11.0/24"]
single_nat_gateway   = true # one NAT for the whole VPC

lambda_memory_size    = 256
lambda_timeout        = 10
log_retention_in_days = 7

api_throttling_burst_limit = 50
api_throttling_rate_limit  = 20
