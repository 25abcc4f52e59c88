# dev-shaped input of the stack tests (tests/stack.tftest.hcl, run once per
# file of tests/inputs/): the settings of envs/dev/terraform.tfvars and one
# on-demand table cached by a one-node DAX cluster without TLS, as
# `make generate` writes them. A test fixture, not the schema: the real
# environments are checked against their own generated files by
# envs/<env>/tests/.
environment = "dev"
name_prefix = "dynagen"

availability_zones   = ["us-east-1a", "us-east-1b"]
vpc_cidr             = "10.10.0.0/16"
public_subnet_cidrs  = ["10.10.0.0/24", "10.10.1.0/24"]
private_subnet_cidrs = ["10.10.10.0/24", "10.10.11.0/24"]
single_nat_gateway   = true

lambda_memory_size    = 256
lambda_timeout        = 10
log_retention_in_days = 7

api_throttling_burst_limit = 50
api_throttling_rate_limit  = 20

tables = {
  product = {
    name           = "Products"
    hash_key       = "ProductID"
    hash_key_type  = "S"
    range_key      = "Version"
    range_key_type = "N"
    attributes = [
      { name = "Category", type = "S" },
      { name = "Price", type = "N" },
      { name = "ProductID", type = "S" },
      { name = "Version", type = "N" },
    ]
    ttl_attribute = "ExpiresAt"
    global_secondary_indexes = [
      { name = "CategoryIndex", hash_key = "Category", range_key = "Price", projection_type = "ALL", non_key_attributes = [] },
    ]
    local_secondary_indexes = []
    billing_mode            = "PAY_PER_REQUEST"
    read_capacity           = 0
    write_capacity          = 0
    autoscaling             = { enabled = false, min_capacity = 0, max_capacity = 0, target_utilization = 0 }
    point_in_time_recovery  = false
    deletion_protection     = false
    cache                   = { reads = "dax", writes = "dax", item_ttl_ms = 300000, query_ttl_ms = 60000 }
    dax                     = { node_type = "dax.t3.small", nodes = 1, tls = false }
    dynamodb_actions        = ["dynamodb:GetItem", "dynamodb:Query"]
    dax_actions             = ["dax:DeleteItem", "dax:GetItem", "dax:PutItem", "dax:Query"]
    api_routes              = ["DELETE /products/{id}", "GET /products", "GET /products/{id}", "POST /products", "PUT /products/{id}"]
  }
}
