# The Lambda execution role: exactly the DynamoDB and DAX actions the
# generated accessors use, on the tables, their indexes and the DAX cluster;
# writing to its own log group; and the ENI actions of a VPC function.
#
# The policy is built with jsonencode (not aws_iam_policy_document) so that
# `terraform test` can read it back under a mock provider.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  log_group_arn = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:${var.log_group_name}"

  sid = { for k, _ in var.dynamodb_tables : k => join("", [for w in split("_", replace(k, "-", "_")) : title(w)]) }

  table_statements = [
    for k, t in var.dynamodb_tables : {
      Sid      = "DynamoDB${local.sid[k]}"
      Effect   = "Allow"
      Action   = sort(distinct(t.actions))
      Resource = concat([t.arn], [for i in t.index_names : "${t.arn}/index/${i}"])
    } if length(t.actions) > 0
  ]

  dax_statements = length(var.dax_cluster_arns) > 0 && length(var.dax_actions) > 0 ? [{
    Sid      = "DAX"
    Effect   = "Allow"
    Action   = sort(distinct(var.dax_actions))
    Resource = var.dax_cluster_arns
  }] : []

  log_statements = [{
    Sid      = "Logs"
    Effect   = "Allow"
    Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    Resource = ["${local.log_group_arn}:*"]
  }]

  # The only "*" resource of the policy. The Describe* calls have no
  # resource-level permissions at all, and the Lambda service creates, attaches
  # and deletes the function's ENIs under IDs nobody knows in advance; this is
  # the ENI statement of the AWSLambdaVPCAccessExecutionRole managed policy,
  # without its logs:* on "*".
  vpc_statements = var.enable_vpc_access ? [{
    Sid    = "VpcNetworkInterfaces"
    Effect = "Allow"
    Action = [
      "ec2:AssignPrivateIpAddresses",
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:UnassignPrivateIpAddresses",
    ]
    Resource = ["*"]
  }] : []

  policy = {
    Version   = "2012-10-17"
    Statement = concat(local.table_statements, local.dax_statements, local.log_statements, local.vpc_statements)
  }
}

resource "aws_iam_role" "this" {
  name = var.name

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-access"
  role   = aws_iam_role.this.id
  policy = jsonencode(local.policy)
}
