# Plans the DAX module with a mock AWS provider: parameter group TTLs from
# the cache policy, TLS and ports, security group rules, the service role.

mock_provider "aws" {
  override_during = plan

  mock_resource "aws_dax_cluster" {
    defaults = { cluster_address = "test.abc123.dax-clusters.us-east-1.amazonaws.com" }
  }
}

variables {
  name                      = "test-dev"
  node_type                 = "dax.t3.small"
  nodes                     = 1
  tls                       = false
  item_ttl_ms               = 300000
  query_ttl_ms              = 60000
  vpc_id                    = "vpc-123"
  subnet_ids                = ["subnet-a", "subnet-b"]
  client_security_group_ids = ["sg-lambda"]
  table_arns                = ["arn:aws:dynamodb:us-east-1:123456789012:table/test-Products"]
  dynamodb_actions          = ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
}

run "plaintext_single_node" {
  command = plan

  assert {
    condition     = { for p in aws_dax_parameter_group.this.parameters : p.name => p.value } == { "record-ttl-millis" = "300000", "query-ttl-millis" = "60000" }
    error_message = "Parameter group TTLs are the cache policy's (item 300000 ms, query 60000 ms)."
  }

  assert {
    condition     = aws_dax_cluster.this.replication_factor == 1 && aws_dax_cluster.this.node_type == "dax.t3.small"
    error_message = "One dax.t3.small node."
  }

  assert {
    condition     = aws_dax_cluster.this.cluster_endpoint_encryption_type == "NONE" && one(aws_dax_cluster.this.server_side_encryption).enabled
    error_message = "No TLS, encryption at rest on."
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.clients) == 1 && aws_vpc_security_group_ingress_rule.clients[0].from_port == 8111 && aws_vpc_security_group_ingress_rule.clients[0].to_port == 8111
    error_message = "Ingress on 8111 only."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.clients[0].referenced_security_group_id == "sg-lambda" && aws_vpc_security_group_ingress_rule.clients[0].cidr_ipv4 == null
    error_message = "Ingress from the Lambda's security group only, never from a CIDR."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.clients[0].security_group_id == "sg-lambda" && aws_vpc_security_group_egress_rule.clients[0].from_port == 8111
    error_message = "The Lambda's group may reach the cluster port."
  }

  assert {
    condition     = output.endpoint_url == "dax://test.abc123.dax-clusters.us-east-1.amazonaws.com:8111"
    error_message = "Plaintext endpoint dax://host:8111."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this.policy).Statement[0].Action == ["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
    error_message = "The service role gets the clients' data actions plus DescribeTable."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this.policy).Statement[0].Resource == ["arn:aws:dynamodb:us-east-1:123456789012:table/test-Products", "arn:aws:dynamodb:us-east-1:123456789012:table/test-Products/index/*"]
    error_message = "The service role reaches the cached tables and their indexes only."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal.Service == "dax.amazonaws.com"
    error_message = "The role is assumed by DAX."
  }
}

run "tls_three_nodes" {
  command = plan

  variables {
    node_type    = "dax.r5.large"
    nodes        = 3
    tls          = true
    item_ttl_ms  = 120000
    query_ttl_ms = 0
  }

  assert {
    condition     = aws_dax_cluster.this.replication_factor == 3 && aws_dax_cluster.this.cluster_endpoint_encryption_type == "TLS"
    error_message = "Three nodes with TLS."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.clients[0].from_port == 9111 && aws_vpc_security_group_ingress_rule.clients[0].to_port == 9111
    error_message = "Ingress on 9111 only with TLS."
  }

  assert {
    condition     = output.endpoint_url == "daxs://test.abc123.dax-clusters.us-east-1.amazonaws.com:9111"
    error_message = "TLS endpoint daxs://host:9111."
  }

  assert {
    condition     = { for p in aws_dax_parameter_group.this.parameters : p.name => p.value } == { "record-ttl-millis" = "120000", "query-ttl-millis" = "0" }
    error_message = "Parameter group follows the TTL variables."
  }
}

run "rejects_long_name" {
  command = plan

  variables {
    name = "this-name-is-too-long-for-dax"
  }

  expect_failures = [var.name]
}

run "rejects_wildcard_action" {
  command = plan

  variables {
    dynamodb_actions = ["dynamodb:*"]
  }

  expect_failures = [var.dynamodb_actions]
}
