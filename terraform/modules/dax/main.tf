# DAX cluster in the private subnets: parameter group from the schema's cache
# policy, security group open on the cluster port to the Lambda only,
# encryption at rest always, TLS in transit when the environment asks.

locals {
  port     = var.tls ? 9111 : 8111
  scheme   = var.tls ? "daxs" : "dax"
  index_of = [for arn in var.table_arns : "${arn}/index/*"]
}

# ---- service role: DAX calls DynamoDB on the clients' behalf ------------------

resource "aws_iam_role" "this" {
  name = "${var.name}-dax"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "dax.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name = "dynamodb-tables"
  role = aws_iam_role.this.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "CachedTables"
      Effect   = "Allow"
      Action   = sort(distinct(concat(var.dynamodb_actions, ["dynamodb:DescribeTable"])))
      Resource = concat(var.table_arns, local.index_of)
    }]
  })
}

# ---- network ------------------------------------------------------------------

resource "aws_dax_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of ${var.name}"
  subnet_ids  = var.subnet_ids
}

resource "aws_security_group" "this" {
  name        = "${var.name}-dax"
  description = "DAX ${var.name}: port ${local.port} from the Lambda only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-dax" })
}

# count, not for_each: the IDs are unknown until apply, their number is not.
resource "aws_vpc_security_group_ingress_rule" "clients" {
  count = length(var.client_security_group_ids)

  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = var.client_security_group_ids[count.index]
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
  description                  = "DAX ${var.tls ? "TLS" : "plaintext"} from client"
}

resource "aws_vpc_security_group_egress_rule" "clients" {
  count = length(var.client_security_group_ids)

  security_group_id            = var.client_security_group_ids[count.index]
  referenced_security_group_id = aws_security_group.this.id
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
  description                  = "To DAX ${var.name}"
}

# Responses to clients need no rule (security groups are stateful). Outbound
# HTTPS only, in case node traffic to DynamoDB leaves through the VPC; no other
# egress (Terraform drops the default allow-all rule of a new group).
resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.this.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "DynamoDB (gateway endpoint or NAT)"
}

# ---- cache policy --------------------------------------------------------------

resource "aws_dax_parameter_group" "this" {
  name        = var.name
  description = "Cache TTLs of ${var.name} from the schema's cache policy"

  parameters {
    name  = "record-ttl-millis"
    value = tostring(var.item_ttl_ms)
  }

  parameters {
    name  = "query-ttl-millis"
    value = tostring(var.query_ttl_ms)
  }
}

resource "aws_dax_cluster" "this" {
  cluster_name                     = var.name
  description                      = "dynagen cache for ${var.name}"
  node_type                        = var.node_type
  replication_factor               = var.nodes
  iam_role_arn                     = aws_iam_role.this.arn
  parameter_group_name             = aws_dax_parameter_group.this.name
  subnet_group_name                = aws_dax_subnet_group.this.name
  security_group_ids               = [aws_security_group.this.id]
  cluster_endpoint_encryption_type = var.tls ? "TLS" : "NONE"
  maintenance_window               = var.maintenance_window
  notification_topic_arn           = var.notification_topic_arn

  server_side_encryption {
    enabled = true
  }

  tags = var.tags

  # The role must be able to reach the tables before the cluster serves traffic.
  depends_on = [aws_iam_role_policy.this]
}
